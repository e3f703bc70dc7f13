package orchestrapay_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/customdomain"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// An intent's payment_url is on its site's primary domain once that is
// verified, like the Admin API's paymentUrl.
func TestPaymentURLOnPrimaryDomain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		d := &customdomain.Domain{ID: "dom_orchestrapay", OrganizationID: e.r.Organization.ID, SiteID: e.r.Site.ID,
			Hostname: "pay.tenant.example", Token: "t", Status: customdomain.Pending, CreatedAt: time.Now()}
		storetest.Must(t, s.CreateDomain(ctx, d), "claim")
		_, err := s.SetPrimaryDomain(ctx, e.r.Organization.ID, d.ID, true)
		storetest.Must(t, err, "primary")
		intent := func(key string) map[string]any {
			t.Helper()
			status, m, raw := e.call("POST", "/checkout-intents", strings.Replace(seedRequest, "550e8400-e29b-41d4-a716-446655440000", key, 1))
			if status != 201 {
				t.Fatalf("create: %d %s", status, raw)
			}
			return m
		}
		if m := intent("before-verification"); !strings.HasPrefix(m["payment_url"].(string), "https://secure.example.com/checkout/") {
			t.Fatalf("primary but pending: %v", m["payment_url"])
		}
		storetest.Must(t, s.SetDomainStatus(ctx, d, customdomain.Verified, "", time.Now()), "verify")
		ci := intent("after-verification")
		if !strings.HasPrefix(ci["payment_url"].(string), "https://pay.tenant.example/checkout/") {
			t.Fatalf("verified primary: %v", ci["payment_url"])
		}
		gw := ci["gateways"].([]any)[0].(map[string]any)
		status, pi, raw := e.call("POST", "/payment-intents", `{"gateway":"`+gw["name"].(string)+`","checkout_intent":"`+ci["checkout_intent"].(string)+`"}`)
		if status != 201 || pi["payment_url"] != ci["payment_url"] {
			t.Fatalf("payment intent: %d %s", status, raw)
		}
	})
}
