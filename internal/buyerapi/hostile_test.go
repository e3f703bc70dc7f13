package buyerapi_test

import (
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// The buyer's billing address follows the Admin API's rules, and hostile
// card fields are refused; a refused payment writes nothing.
func TestHostilePaymentsWriteNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		c := e.checkout(`{"amount":1000,"currency":"EUR","externalReference":"h-1","ipnUrl":"https://shop.example/ipn"}`, checkout.ModeTest)
		card := `"card":{"number":"4242424242424242","expMonth":12,"expYear":2034,"cvc":"123","name":"A"}`
		for name, tc := range map[string]struct {
			body   string
			status int
		}{
			"60 KB city":        {`"billingAddress":{"city":"` + strings.Repeat("x", 60_000) + `"},` + card, 422},
			"long city":         {`"billingAddress":{"city":"` + strings.Repeat("x", 300) + `"},` + card, 422},
			"NUL in a name":     {`"billingAddress":{"firstName":"a\u0000b"},` + card, 400},
			"ESC in a street":   {`"billingAddress":{"address1":"\u001b[31mred"},` + card, 422},
			"unknown country":   {`"billingAddress":{"country":"ZZ"},` + card, 422},
			"three letters":     {`"billingAddress":{"country":"DEU"},` + card, 422},
			"exponent year":     {`"card":{"number":"4242424242424242","expMonth":12,"expYear":1e999999,"cvc":"123","name":"A"}`, 400},
			"string year":       {`"card":{"number":"4242424242424242","expMonth":12,"expYear":"1e999999","cvc":"123","name":"A"}`, 400},
			"address as a list": {`"billingAddress":[1,2],` + card, 400},
		} {
			body := `{"sessionPublicId":"` + c.SessionPublicID + `","providerId":"` + e.r.Provider.ID + `",` + tc.body + `}`
			if status, _, _, raw := e.do("POST", "/api/v1/transactions/create", body, "Origin", "https://secure.example.com"); status != tc.status {
				t.Errorf("%s: %d, want %d: %.200s", name, status, tc.status, raw)
			}
		}
		got, err := s.GetCheckout(ctx, c.OrganizationID, c.ID)
		storetest.Must(t, err, "checkout")
		ds, _, err := s.ListDeliveries(ctx, store.DeliveryFilter{OrganizationID: c.OrganizationID, CheckoutID: c.ID, Page: 1, Limit: 10})
		storetest.Must(t, err, "deliveries")
		if len(got.Transactions) != 0 || len(ds) != 0 {
			t.Fatalf("refused payments wrote %d attempts and %d notifications", len(got.Transactions), len(ds))
		}
		// A real country is kept, upper-cased.
		status, m, raw := e.pay(c, "4242424242424242", `"billingAddress":{"country":"de","city":"Berlin"},`)
		if status != 200 || m["status"] != float64(1) {
			t.Fatalf("a good address: %d %s", status, raw)
		}
		tx, err := s.GetTransactionUnscoped(ctx, m["transactionId"].(string))
		storetest.Must(t, err, "transaction")
		if tx.BillingAddress == nil || tx.BillingAddress.Country != "DE" {
			t.Fatalf("stored address %+v", tx.BillingAddress)
		}
	})
}
