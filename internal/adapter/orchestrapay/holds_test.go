package orchestrapay_test

import (
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/risk"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// A held customer's checkout intent is refused with 403 and the hold's code,
// in Orchestrapay's envelope; nothing is created.
func TestHeldCustomerIntent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		storetest.Must(t, s.CreateHold(ctx, &risk.Hold{ID: ids.New("hold"), OrganizationID: e.r.Organization.ID,
			Email: "held@example.com", Action: risk.BlockAll, Reason: "operator", CreatedBy: "test", CreatedAt: store.TimeNow()}), "hold")
		status, _, raw := e.call("POST", "/checkout-intents", `{"amount":100,"currency":"EGP","customer":{"email":"Held@Example.com"}}`)
		if status != 403 || !strings.Contains(raw, risk.CodeBlockedByHold) {
			t.Fatalf("held customer: %d %s", status, raw)
		}
		if _, n, err := s.ListCheckouts(ctx, store.CheckoutFilter{OrganizationID: e.r.Organization.ID, Page: 1, Limit: 1}); err != nil || n != 0 {
			t.Fatalf("%d checkouts, %v", n, err)
		}
		if status, _, raw := e.call("POST", "/checkout-intents", `{"amount":100,"currency":"EGP","customer":{"email":"fine@example.com"}}`); status != 201 && status != 200 {
			t.Fatalf("another customer: %d %s", status, raw)
		}
	})
}
