package frontend

import (
	"net/http"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/tenant"
	"github.com/pgw/pgw/templates/hosted"
)

// Preview renders the payment page of an example checkout of site as its
// buyers would see it, with the card form, for the dashboard's branding
// preview (which may pass values not saved yet). It may be framed by the
// page that serves it, and nothing on it works: the dashboard frames it
// sandboxed.
func (f *Frontend) Preview(w http.ResponseWriter, r *http.Request, site *tenant.Site) {
	pc := f.anonymous(r)
	pc.site, pc.frameable = site, true
	pc.p = f.words.Printer(f.words.Choose([]string{r.URL.Query().Get("lg")}, r.Header.Get("Accept-Language"), site.DefaultLanguage))
	pc.lang = pc.p.Tag.String()
	now := f.now()
	c := &checkout.Checkout{ID: "preview", OrganizationID: site.OrganizationID, SiteID: site.ID, Mode: checkout.ModeLive,
		Status: checkout.StatusOpen, Currency: "EUR", Amount: 4900, ExternalReference: "ORDER-1001",
		Items: []checkout.LineItem{{Position: 0, Name: "Example item", Quantity: 2, UnitPrice: 1950},
			{Position: 1, Name: "Shipping", Quantity: 1, UnitPrice: 1000, ItemType: "shipping"}},
		Metadata: map[string]string{}, ExpiresAt: now.Add(24 * time.Hour), CreatedAt: now}
	sum, err := f.summary(c, f.formatter(pc.lang), pc.p)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	p := hosted.CheckoutPage{
		Head:    f.head(pc, pc.p.T("checkout.title", "Site", site.DisplayName)),
		Brand:   hosted.Brand{SiteName: site.DisplayName, LogoURL: site.LogoURL},
		Summary: sum, ExpiresAt: f.when(pc, c.ExpiresAt),
		Card: &hosted.CardForm{Action: "#", Script: f.assets.URL("js/card.js"), PayLabel: pc.p.T("card.pay", "Amount", sum.Totals.Total)},
	}
	f.render(w, r, http.StatusOK, pc, hosted.Checkout(p))
}
