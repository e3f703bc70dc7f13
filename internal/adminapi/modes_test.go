package adminapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// A test key never reads or changes live money (nor a live key test data):
// the other mode's checkouts, transactions and deliveries are not found, and
// idempotency keys are separate per mode.
func TestModesAreSeparate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		live, liveToken := auth.NewKey(e.a.Organization.ID, "live", checkout.ModeLive, auth.DefaultScopes, store.TimeNow())
		storetest.Must(t, s.CreateAPIKey(ctx, live), "live key")
		testToken := e.a.Token
		create := func(token, ref string) string {
			r := e.do("POST", "/api/v1/checkouts/"+e.a.Site.ID+"/create", token,
				`{"amount":100,"currency":"EUR","externalReference":"`+ref+`","ipnUrl":"https://shop.example/ipn"}`, "Idempotency-Key", "same-key-"+ref)
			expect(t, r, 200, "")
			return r.body["id"].(string)
		}
		liveID := create(liveToken, "live-1")
		testID := create(testToken, "test-1")

		// A live payment, made as a provider's webhook would.
		c, err := s.GetCheckout(ctx, e.a.Organization.ID, liveID)
		storetest.Must(t, err, "live checkout")
		tx := &checkout.Transaction{ID: ids.New("txn"), CheckoutID: c.ID, OrganizationID: c.OrganizationID, SiteID: c.SiteID,
			ProviderID: e.a.Provider.ID, Status: checkout.TxInitiated, Amount: c.Amount, Currency: c.Currency, CreatedAt: store.TimeNow(), UpdatedAt: store.TimeNow()}
		_, _, err = s.CreateTransaction(ctx, c, tx)
		storetest.Must(t, err, "transaction")
		_, err = s.CompletePayment(ctx, c, tx.ID, store.Charge{})
		storetest.Must(t, err, "complete")
		ds, _, err := s.ListDeliveries(ctx, store.DeliveryFilter{OrganizationID: e.a.Organization.ID, CheckoutID: liveID, Page: 1, Limit: 10})
		storetest.Must(t, err, "deliveries")
		if len(ds) == 0 {
			t.Fatal("no live delivery")
		}

		for _, c := range []struct{ method, path, body string }{
			{"GET", "/api/v1/checkouts/" + liveID, ""},
			{"POST", "/api/v1/checkouts/" + liveID + "/expire", ""},
			{"GET", "/api/v1/transactions/" + tx.ID, ""},
			{"POST", "/api/v1/transactions/" + tx.ID + "/refund", `{"amount":10}`},
			{"GET", "/api/v1/deliveries/" + ds[0].ID, ""},
			{"POST", "/api/v1/deliveries/" + ds[0].ID + "/redeliver", ""},
		} {
			if r := e.do(c.method, c.path, testToken, c.body); r.status != http.StatusNotFound {
				t.Errorf("test key %s %s: %d %s", c.method, c.path, r.status, r.raw)
			}
		}
		if r := e.do("GET", "/api/v1/checkouts/"+testID, liveToken, ""); r.status != http.StatusNotFound {
			t.Errorf("live key reads a test checkout: %d", r.status)
		}
		list := e.do("GET", "/api/v1/checkouts", testToken, "")
		if strings.Contains(string(list.raw), liveID) || !strings.Contains(string(list.raw), testID) {
			t.Errorf("test key's list: %s", list.raw)
		}
		if dl := e.do("GET", "/api/v1/deliveries", testToken, ""); strings.Contains(string(dl.raw), liveID) {
			t.Errorf("test key lists live deliveries: %s", dl.raw)
		}
		after, err := s.GetCheckout(ctx, e.a.Organization.ID, liveID)
		storetest.Must(t, err, "live checkout")
		if after.Status != checkout.StatusComplete || after.Transactions[0].RefundedAmount != 0 {
			t.Fatalf("the test key changed live money: %s refunded %d", after.Status, after.Transactions[0].RefundedAmount)
		}
		// Providers belong to a mode too: a test key neither sees, adds nor
		// switches off a live one.
		liveStripe := `{"type":"stripe","config":{"secretKey":"sk_live_abcdefghijklmnop1234","publishableKey":"pk_live_abc","webhookSecret":"whsec_abcdefghijkl5678"}}`
		providers := "/api/v1/sites/" + e.a.Site.ID + "/providers"
		expect(t, e.do("POST", providers, testToken, liveStripe), 422, "validation_error")
		lp := e.do("POST", providers, liveToken, liveStripe)
		expect(t, lp, 201, "")
		lpID := lp.body["id"].(string)
		if l := e.do("GET", providers, testToken, ""); strings.Contains(string(l.raw), lpID) || !strings.Contains(string(l.raw), e.a.Provider.ID) {
			t.Errorf("test key's providers: %s", l.raw)
		}
		if l := e.do("GET", providers, liveToken, ""); !strings.Contains(string(l.raw), lpID) || strings.Contains(string(l.raw), e.a.Provider.ID) {
			t.Errorf("live key's providers: %s", l.raw)
		}
		expect(t, e.do("POST", providers+"/"+lpID+"/disable", testToken, ""), 404, "not_found")
		if p, _ := s.GetProvider(ctx, lpID); !p.Enabled {
			t.Fatal("the test key switched off the live provider")
		}

		// The same Idempotency-Key and body under the other mode is another checkout.
		if other := create(testToken, "live-1"); other == liveID {
			t.Fatal("the test key replayed the live key's answer")
		}
		if again := create(liveToken, "live-1"); again != liveID {
			t.Fatal("the live key's replay changed")
		}
	})
}
