package dashboard

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/dispute"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/risk"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
	views "github.com/pgw/pgw/templates/dashboard"
)

// disputesOf is the disputes card of a checkout.
func (d *Dashboard) disputesOf(ctx context.Context, orgID string, c *checkout.Checkout) (views.Disputes, error) {
	v := views.Disputes{Currency: c.Currency}
	for i := range c.Transactions {
		t := &c.Transactions[i]
		if !t.Paid() && t.Status != checkout.TxChargeback {
			continue
		}
		ds, err := d.store.ListDisputes(ctx, orgID, t.ID)
		if err != nil {
			return v, err
		}
		open := false
		for _, x := range ds {
			row := views.DisputeRow{ID: x.ID, TransactionID: x.TransactionID, Status: string(x.Status),
				Amount: amount(x.Amount, x.Currency), Reason: x.Reason, Opened: when(x.OpenedAt), Open: !x.Status.Final()}
			if !x.ClosedAt.IsZero() {
				row.Closed = when(x.ClosedAt)
			}
			open = open || row.Open
			v.Rows = append(v.Rows, row)
		}
		if t.Paid() && !open {
			v.Disputable = append(v.Disputable, t.ID)
		}
	}
	return v, nil
}

// openDispute records a dispute an operator learned of from a provider that
// does not report them.
func (d *Dashboard) openDispute(w http.ResponseWriter, r *http.Request, s *signedIn) {
	t, err := d.store.GetTransaction(r.Context(), s.orgID, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	back := "/dashboard/checkouts/" + url.PathEscape(t.CheckoutID) + "#disputes"
	ch := store.DisputeChange{Status: dispute.Open, Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	if a := strings.TrimSpace(r.PostFormValue("amount")); a != "" {
		cur, err := money.ParseCurrency(t.Currency)
		if err == nil {
			ch.Amount, err = money.ParseDecimal(a, cur)
		}
		if err != nil || ch.Amount <= 0 {
			d.back(w, r, s, back, "", "The disputed amount must be a positive number of "+t.Currency+", such as 12.50.")
			return
		}
	}
	dp, err := d.pay.OpenDispute(r.Context(), s.orgID, t.ID, ch)
	if e, ok := errs.As(err); ok && e.Kind != errs.Internal && e.Kind != errs.NotFound {
		d.back(w, r, s, back, "", "Not recorded: "+e.Message+".")
		return
	}
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("dispute recorded from the dashboard", "dispute", dp.ID, "transaction", t.ID, "user", s.user.ID)
	d.back(w, r, s, back, "The dispute is recorded and the payment is in chargeback.", "")
}

// changeDispute moves a dispute on.
func (d *Dashboard) changeDispute(w http.ResponseWriter, r *http.Request, s *signedIn) {
	t, err := d.store.GetTransaction(r.Context(), s.orgID, r.PostFormValue("transaction"))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	back := "/dashboard/checkouts/" + url.PathEscape(t.CheckoutID) + "#disputes"
	dp, err := d.pay.ChangeDispute(r.Context(), s.orgID, t.ID, r.PathValue("id"), store.DisputeChange{Status: dispute.Status(r.PostFormValue("status"))})
	if e, ok := errs.As(err); ok && e.Kind != errs.Internal && e.Kind != errs.NotFound {
		d.back(w, r, s, back, "", "Not changed: "+e.Message+".")
		return
	}
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("dispute changed from the dashboard", "dispute", dp.ID, "status", dp.Status, "user", s.user.ID)
	d.back(w, r, s, back, "The dispute is "+strings.ReplaceAll(string(dp.Status), "_", " ")+".", "")
}

var holdActions = map[string]string{
	string(risk.BlockAll): "block all", string(risk.ManualReview): "manual review", string(risk.AllowProviderTypes): "allow provider types",
}

func (d *Dashboard) listHolds(w http.ResponseWriter, r *http.Request, s *signedIn) {
	page := pageNumber(r)
	hs, total, err := d.store.ListHolds(r.Context(), s.orgID, "", page, pageSize)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	v := views.HoldsPage{Actions: options(holdActions, string(risk.BlockAll)), Pager: pagerFor(r, page, total)}
	for _, h := range hs {
		customer := h.Email
		if h.ClientID != "" {
			customer = strings.TrimSpace(customer + " client " + h.ClientID)
		}
		v.Rows = append(v.Rows, views.HoldRow{ID: h.ID, Customer: customer, Action: holdActions[string(h.Action)],
			Allowed: strings.Join(h.Allowed(), ", "), Reason: h.Reason, Created: when(h.CreatedAt), CreatedBy: h.CreatedBy})
	}
	d.render(w, r, http.StatusOK, views.Holds(d.frame(s, "holds", "Customer risk holds"), v))
}

func (d *Dashboard) createHold(w http.ResponseWriter, r *http.Request, s *signedIn) {
	h := &risk.Hold{ID: ids.New("hold"), OrganizationID: s.orgID, Email: risk.NormalizeEmail(r.PostFormValue("email")),
		ClientID: strings.TrimSpace(r.PostFormValue("client_id")), Action: risk.Action(r.PostFormValue("action")),
		AllowedProviderTypes: strings.Join(strings.Fields(r.PostFormValue("allowed")), " "),
		Reason:               strings.TrimSpace(r.PostFormValue("reason")), CreatedBy: s.user.Email, CreatedAt: d.opts.Now()}
	if err := risk.CheckHold(h, tenant.ProviderTypes); err != nil {
		d.back(w, r, s, "/dashboard/holds", "", "Not held: "+err.Error()+".")
		return
	}
	if err := d.store.CreateHold(r.Context(), h); err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("customer risk hold created from the dashboard", "hold", h.ID, "user", s.user.ID)
	d.back(w, r, s, "/dashboard/holds", "The customer is held.", "")
}

func (d *Dashboard) deleteHold(w http.ResponseWriter, r *http.Request, s *signedIn) {
	if err := d.store.DeleteHold(r.Context(), s.orgID, r.PathValue("id")); err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("customer risk hold lifted from the dashboard", "hold", r.PathValue("id"), "user", s.user.ID)
	d.back(w, r, s, "/dashboard/holds", "The hold is lifted.", "")
}
