package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/taxes"
)

func TestDashboardTax(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		ctx := context.Background()
		admin := w.signIn("admin")
		if r := w.signIn("editor").post("/dashboard/tax", url.Values{"enabled": {"1"}, "seller_country": {"DE"}}); r.status != http.StatusForbidden {
			t.Fatalf("an editor changes tax settings: %d", r.status)
		}
		admin.post("/dashboard/tax", url.Values{"enabled": {"1"}})
		if page := admin.get("/dashboard/tax"); !strings.Contains(page.body, "Not saved") {
			t.Fatalf("enabling tax without a country is not refused:\n%s", page.body)
		}
		if r := admin.post("/dashboard/tax", url.Values{"enabled": {"1"}, "seller_country": {"de"}, "oss": {"1"}, "registrations": {"gb ch"},
			"rounding": {"line"}, "vies": {"format"}}); r.status != http.StatusSeeOther {
			t.Fatalf("save: %d", r.status)
		}
		cfg, err := s.TaxConfig(ctx, w.acme.Organization.ID)
		if err != nil || !cfg.Enabled || cfg.SellerCountry != "DE" || !cfg.OSSRegistered || strings.Join(cfg.Registrations, " ") != "CH GB" {
			t.Fatalf("saved %+v %v", cfg, err)
		}
		// A taxed payment shows in both reports.
		id := w.createCheckout(w.acme, "tax-dash")
		c, err := s.GetCheckout(ctx, w.acme.Organization.ID, id)
		storetest.Must(t, err, "checkout")
		pay := payment.New(s, payment.Options{Taxes: taxes.New(s, taxes.Options{})})
		_, err = pay.Pay(ctx, c, payment.Attempt{ProviderID: w.acme.Provider.ID, CardNumber: "4242424242424242", ExpMonth: 12, ExpYear: 2040,
			CVC: "123", CardName: "A", Billing: &checkout.Address{Country: "AT"}})
		storetest.Must(t, err, "pay")
		if co := admin.get("/dashboard/checkouts/" + id); !strings.Contains(co.body, "VAT 20% (AT)") {
			t.Fatal("the checkout page does not show the tax its payment was charged")
		}
		page := w.signIn("viewer").get("/dashboard/tax")
		if page.status != 200 || !strings.Contains(page.body, `id="by-country-table"`) || !strings.Contains(page.body, `id="oss-table"`) ||
			!strings.Contains(page.body, "<td>AT</td><td class=\"num\">20%</td>") {
			t.Fatalf("tax page (%d):\n%s", page.status, page.body)
		}
	})
}
