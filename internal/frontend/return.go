package frontend

import (
	"net/http"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/templates/hosted"
)

// returned is where Stripe sends the buyer after confirming. It never
// completes anything: it shows the attempt as our records have it (driven by
// the provider's webhooks) and reloads itself until the attempt is final.
func (f *Frontend) returned(w http.ResponseWriter, r *http.Request) {
	c, pc, ok := f.load(w, r)
	if !ok {
		return
	}
	tx, err := f.store.GetTransactionUnscoped(r.Context(), r.URL.Query().Get("tx"))
	if err != nil || tx.CheckoutID != c.ID {
		http.Redirect(w, r, "/checkout/"+c.ShortCode, http.StatusSeeOther)
		return
	}
	brand := hosted.Brand{SiteName: pc.site.DisplayName, LogoURL: pc.site.LogoURL}
	page := hosted.PendingPage{Head: f.head(pc, pc.p.T("pending.title")), Brand: brand}
	switch tx.Status {
	case checkout.TxSucceeded:
		if u := c.ReturnURLFor(tx.ID); u != "" {
			http.Redirect(w, r, u, http.StatusSeeOther)
		} else {
			http.Redirect(w, r, "/checkout/"+c.ShortCode, http.StatusSeeOther)
		}
		return
	case checkout.TxInitiated, checkout.TxPendingProvider:
		page.Title, page.Message, page.Refresh = pc.p.T("pending.title"), pc.p.T("pending.message"), true
	default:
		page.Title = pc.p.T("pending.failed_title")
		page.Message = pc.p.T("pending.failed")
		if tx.FailureCode != "" {
			page.Message = declineMessage(pc, tx.FailureCode, tx.FailureMessage) + " " + page.Message
		}
		page.RetryPath = "/checkout/" + c.ShortCode
	}
	f.render(w, r, http.StatusOK, pc, hosted.Pending(page))
}
