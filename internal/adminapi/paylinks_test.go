package adminapi_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/paylink"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestPaymentLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		r := e.do("POST", "/api/v1/payment-links", e.a.Token, `{"siteId":"`+e.a.Site.ID+`","name":"Workshop","currency":"eur",
			"items":[{"name":"Ticket","unitPrice":4500,"quantity":1,"adjustableQuantity":true},{"name":"Booklet","unitPrice":500,"quantity":1}],
			"maxPayments":2}`)
		expect(t, r, 201, "")
		id, code := r.body["id"].(string), r.body["code"].(string)
		if r.body["url"] != "https://secure.example.com/l/"+code || len(code) != 16 || r.body["active"] != true || r.body["currency"] != "EUR" {
			t.Fatalf("created %s", r.raw)
		}
		// Every visit makes a fresh checkout; two paid take the link's two payments.
		svc := checkouts.New(s, payment.New(s), 0, nil)
		link, err := s.PaymentLinkByCode(ctx, code)
		storetest.Must(t, err, "by code")
		for i := range 2 {
			c, err := svc.FromLink(ctx, link, paylink.Choice{Quantities: []int64{int64(i + 1)}})
			storetest.Must(t, err, "visit %d", i+1)
			if want := int64(4500*(i+1) + 500); c.Amount != want || c.PaymentLinkID != id || c.Source != checkout.SourceLink {
				t.Fatalf("visit %d: amount %d, link %q, source %s", i+1, c.Amount, c.PaymentLinkID, c.Source)
			}
			res, err := payment.New(s).Pay(ctx, c, payment.Attempt{ProviderID: e.a.Provider.ID, CardNumber: "4242424242424242",
				ExpMonth: 1, ExpYear: 2035, CVC: "123", CardName: "A"})
			if err != nil || res.Outcome != payment.Paid {
				t.Fatalf("pay %d: %v %v", i+1, res, err)
			}
		}
		if _, err := svc.FromLink(ctx, link, paylink.Choice{}); !errors.Is(err, paylink.ErrSoldOut) {
			t.Fatalf("a third visit: %v", err)
		}
		r = e.do("GET", "/api/v1/payment-links/"+id, e.a.Token, "")
		if expect(t, r, 200, ""); r.body["paymentsCount"] != float64(2) || r.body["volume"] != float64(5000+9500) {
			t.Fatalf("link after two payments %s", r.raw)
		}
		r = e.do("GET", "/api/v1/payment-links", e.a.Token, "")
		if expect(t, r, 200, ""); r.body["total"] != float64(1) {
			t.Fatalf("list %s", r.raw)
		}

		// A custom amount within bounds; an open checkout holds the only payment.
		r = e.do("POST", "/api/v1/payment-links", e.a.Token, `{"siteId":"`+e.a.Site.ID+`","name":"Donation","currency":"EUR",
			"customAmount":{"min":100,"max":10000},"maxPayments":1}`)
		expect(t, r, 201, "")
		donation, err := s.PaymentLinkByCode(ctx, r.body["code"].(string))
		storetest.Must(t, err, "donation")
		for _, bad := range []int64{99, 10001} {
			if _, err := svc.FromLink(ctx, donation, paylink.Choice{Amount: bad}); err == nil {
				t.Fatalf("amount %d accepted", bad)
			}
		}
		held, err := svc.FromLink(ctx, donation, paylink.Choice{Amount: 2500})
		storetest.Must(t, err, "donate")
		if _, err := svc.FromLink(ctx, donation, paylink.Choice{Amount: 2500}); !errors.Is(err, paylink.ErrSoldOut) {
			t.Fatalf("while the only payment is held: %v", err)
		}
		_, err = s.ExpireCheckout(ctx, e.a.Organization.ID, held.ID)
		storetest.Must(t, err, "expire")
		if _, err := svc.FromLink(ctx, donation, paylink.Choice{Amount: 2500}); err != nil {
			t.Fatalf("after the held checkout expired: %v", err)
		}

		// Deactivated, it takes nothing more.
		r = e.do("POST", "/api/v1/payment-links/"+id+"/deactivate", e.a.Token, "")
		if expect(t, r, 200, ""); r.body["active"] != false {
			t.Fatalf("deactivated %s", r.raw)
		}
		link, _ = s.PaymentLinkByCode(ctx, code)
		if _, err := svc.FromLink(ctx, link, paylink.Choice{}); !errors.Is(err, paylink.ErrInactive) {
			t.Fatalf("a deactivated link: %v", err)
		}

		// Refusals, tenancy, mode and scopes.
		for _, bad := range []string{
			`{"siteId":"` + e.a.Site.ID + `","name":"","currency":"EUR","items":[{"name":"x","unitPrice":1,"quantity":1}]}`,
			`{"siteId":"` + e.a.Site.ID + `","name":"x","currency":"EURO","items":[{"name":"x","unitPrice":1,"quantity":1}]}`,
			`{"siteId":"` + e.a.Site.ID + `","name":"x","currency":"EUR"}`,
			`{"siteId":"` + e.a.Site.ID + `","name":"x","currency":"EUR","items":[{"name":"x","unitPrice":0,"quantity":1}]}`,
			`{"siteId":"` + e.a.Site.ID + `","name":"x","currency":"EUR","items":[{"name":"x","unitPrice":1,"quantity":100}]}`,
			`{"siteId":"` + e.a.Site.ID + `","name":"x","currency":"EUR","customAmount":{"min":500,"max":100}}`,
			`{"siteId":"` + e.a.Site.ID + `","name":"x","currency":"EUR","customAmount":{"min":1,"max":2},"items":[{"name":"x","unitPrice":1,"quantity":1}]}`,
			`{"siteId":"` + e.a.Site.ID + `","name":"x","currency":"EUR","items":[{"name":"x","unitPrice":1,"quantity":1}],"expiresAt":"2020-01-01T00:00:00Z"}`,
			`{"siteId":"` + e.a.Site.ID + `","name":"x","currency":"EUR","items":[` + strings.Repeat(`{"name":"x","unitPrice":1,"quantity":1},`, 20) + `{"name":"x","unitPrice":1,"quantity":1}]}`,
		} {
			expect(t, e.do("POST", "/api/v1/payment-links", e.a.Token, bad), 422, "validation_error")
		}
		expect(t, e.do("POST", "/api/v1/payment-links", e.a.Token, `{"siteId":"`+e.b.Site.ID+`","name":"x","currency":"EUR","items":[{"name":"x","unitPrice":1,"quantity":1}]}`), 404, "not_found")
		expect(t, e.do("GET", "/api/v1/payment-links/"+id, e.b.Token, ""), 404, "not_found")
		live := keyWith(t, s, e.a.Organization.ID, checkout.ModeLive, []string{auth.ScopeCheckoutRead})
		expect(t, e.do("GET", "/api/v1/payment-links/"+id, live, ""), 404, "not_found")
		reader := keyWith(t, s, e.a.Organization.ID, checkout.ModeTest, []string{auth.ScopeCheckoutRead})
		expect(t, e.do("POST", "/api/v1/payment-links/"+id+"/deactivate", reader, ""), 403, "forbidden")
	})
}
