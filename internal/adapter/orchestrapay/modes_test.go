package orchestrapay_test

import (
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// A test key does not see, pay or reuse the live key's checkout intents.
func TestModesAreSeparate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		live, liveToken := auth.NewKey(e.r.Organization.ID, "live", checkout.ModeLive, auth.DefaultScopes, store.TimeNow())
		storetest.Must(t, s.CreateAPIKey(ctx, live), "live key")
		status, ci, raw := e.callAs(liveToken, "POST", "/checkout-intents", seedRequest)
		if status != 201 {
			t.Fatalf("live intent: %s", raw)
		}
		uuid := ci["checkout_intent"].(string)
		if _, _, list := e.call("GET", "/checkout-intents", ""); strings.Contains(list, uuid) {
			t.Fatalf("the test key lists the live intent: %s", list)
		}
		if _, _, list := e.callAs(liveToken, "GET", "/checkout-intents", ""); !strings.Contains(list, uuid) {
			t.Fatalf("the live key does not list its intent: %s", list)
		}
		if st, m, _ := e.call("POST", "/payment-intents", `{"gateway":"sandbox","checkout_intent":"`+uuid+`"}`); st != 404 {
			t.Fatalf("the test key starts a payment of the live intent: %d %v", st, m)
		}
		if st, m, _ := e.call("POST", "/checkout-intents", seedRequest); st != 409 || m["checkout_intent"] != nil {
			t.Fatalf("the test key reuses the live idempotency key: %d %v", st, m)
		}
		if st, m, _ := e.callAs(liveToken, "POST", "/checkout-intents", seedRequest); st != 200 || m["checkout_intent"] != uuid {
			t.Fatalf("the live key's replay: %d %v", st, m)
		}
	})
}
