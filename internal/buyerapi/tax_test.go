package buyerapi_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tax"
	"github.com/pgw/pgw/internal/vies/viestest"
)

func TestTaxPreview(t *testing.T) {
	fake := viestest.New()
	defer fake.Close()
	fake.Slow = 2 * time.Second
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, func(c *config.Config) {
			c.Tax.VIESURL, c.Tax.VIESTimeout = fake.URL, 300*time.Millisecond
			c.Tax.QuotesPerCheckout, c.Limits.Window = 8, time.Hour
		})
		c := e.checkout(`{"amount":12000,"currency":"EUR","externalReference":"t-1","items":[{"name":"E-book","unitPrice":12000,"itemType":"digital_service"}]}`, checkout.ModeTest)
		path := "/api/v1/checkouts/" + c.SessionPublicID + "/tax-preview"
		preview := func(body string) (int, map[string]any, string) {
			status, _, m, raw := e.do("POST", path, body, "Origin", frontend)
			return status, m, raw
		}
		if status, m, raw := preview(`{"billingAddress":{"country":"FR"}}`); status != 409 || m["code"] != "tax_disabled" {
			t.Fatalf("tax disabled: %d %s", status, raw)
		}
		storetest.Must(t, s.PutTaxConfig(ctx, e.r.Organization.ID, tax.Config{Enabled: true, VIESCheck: tax.VIESOnline,
			Settings: tax.Settings{SellerCountry: "DE", SellerVATID: "DE123456789", OSSRegistered: true, Rounding: tax.RoundLine}}), "settings")

		status, m, raw := preview(`{"billingAddress":{"country":"FR"}}`)
		if status != 200 || m["amountTax"] != float64(2000) || m["amountTotal"] != float64(12000) || m["amountSubtotal"] != float64(10000) || m["b2b"] != false {
			t.Fatalf("FR consumer: %d %s", status, raw)
		}
		status, m, raw = preview(`{"billingAddress":{"country":"ES","postcode":"35001"}}`)
		if ev, _ := m["evidence"].(map[string]any); status != 200 || m["amountTax"] != float64(0) || ev["territory"] != "Canary Islands" {
			t.Fatalf("Canary Islands: %d %s", status, raw)
		}
		for _, tc := range []struct {
			id, check string
			tax       float64
			b2b       bool
		}{
			{"FR40303265040", "vies_valid", 0, true},
			{"FR 40 303 265 041", "vies_invalid", 2000, false},
			{"FR40303265049", "vies_unavailable", 2000, false},
			{"FR40303265048", "vies_unavailable", 2000, false},
			{"FR123", "format_invalid", 2000, false},
		} {
			status, m, raw := preview(fmt.Sprintf(`{"billingAddress":{"country":"FR"},"vatId":%q}`, tc.id))
			ev, _ := m["evidence"].(map[string]any)
			if status != 200 || m["amountTax"] != tc.tax || m["b2b"] != tc.b2b || ev["vatIdCheck"] != tc.check {
				t.Fatalf("VAT ID %s: %d %s", tc.id, status, raw)
			}
			if tc.b2b && (ev["viesRequestIdentifier"] == "" || m["notes"].([]any)[0] == "") {
				t.Fatalf("a confirmed VAT ID without its evidence or note: %s", raw)
			}
			if !tc.b2b && tc.check != "format_invalid" && ev["reason"] == "" {
				t.Fatalf("no reason given for charging VAT: %s", raw)
			}
		}
		if status, m, raw := preview(`{}`); status != 422 || m["code"] != "tax_country_required" {
			t.Fatalf("no country: %d %s", status, raw)
		}
		if status, _, raw := preview(`{"billingAddress":{"country":"Frankreich"}}`); status != 422 {
			t.Fatalf("bad country: %d %s", status, raw)
		}
		if status, _, raw := preview(`not json`); status != 400 {
			t.Fatalf("bad JSON: %d %s", status, raw)
		}
		if status, _, _, raw := e.do("POST", "/api/v1/checkouts/nope/tax-preview", `{"billingAddress":{"country":"FR"}}`, "Origin", frontend); status != 404 {
			t.Fatalf("unknown checkout: %d %s", status, raw)
		}
		// Eight quotes per checkout and window (refused input counts none): the ninth waits.
		status, _, raw = preview(`{"billingAddress":{"country":"FR"}}`)
		if status != 429 {
			t.Fatalf("past the limit: %d %s", status, raw)
		}
	})
}
