package adminapi_test

import (
	"sync"
	"testing"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestCancelCheckout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		create := func(ref string) string {
			r := e.do("POST", "/api/v1/checkouts/"+e.a.Site.ID+"/create", e.a.Token, `{"amount":100,"currency":"EUR","externalReference":"`+ref+`"}`)
			expect(t, r, 200, "")
			return r.body["id"].(string)
		}
		id := create("c-1")
		ro, roToken := auth.NewKey(e.a.Organization.ID, "ro", checkout.ModeTest, []string{"checkout:read"}, store.TimeNow())
		storetest.Must(t, s.CreateAPIKey(ctx, ro), "key")
		expect(t, e.do("POST", "/api/v1/checkouts/"+id+"/cancel", roToken, ""), 403, "")
		expect(t, e.do("POST", "/api/v1/checkouts/"+id+"/cancel", e.b.Token, ""), 404, "")
		r := e.do("POST", "/api/v1/checkouts/"+id+"/cancel", e.a.Token, "")
		expect(t, r, 200, "")
		if r.body["status"] != "canceled" {
			t.Fatalf("cancel answered %s", r.raw)
		}
		expect(t, e.do("POST", "/api/v1/checkouts/"+id+"/cancel", e.a.Token, ""), 409, "checkout_not_open")
		expect(t, e.do("POST", "/api/v1/checkouts/"+id+"/expire", e.a.Token, ""), 409, "checkout_not_open")

		// A payment racing the cancel: exactly one wins.
		pay := payment.New(s)
		for i := range 10 {
			id := create("race-" + string(rune('a'+i)))
			c, err := s.GetCheckout(ctx, e.a.Organization.ID, id)
			storetest.Must(t, err, "checkout")
			var wg sync.WaitGroup
			var res *payment.Result
			var payErr error
			var status int
			wg.Go(func() {
				res, payErr = pay.Pay(ctx, c, payment.Attempt{ProviderID: e.a.Provider.ID, CardNumber: "4242424242424242",
					ExpMonth: 12, ExpYear: 2034, CVC: "123", CardName: "A"})
			})
			wg.Go(func() { status = e.do("POST", "/api/v1/checkouts/"+id+"/cancel", e.a.Token, "").status })
			wg.Wait()
			after, err := s.GetCheckout(ctx, e.a.Organization.ID, id)
			storetest.Must(t, err, "after")
			paid := payErr == nil && res.Outcome == payment.Paid
			switch {
			case status == 200 && !paid && after.Status == checkout.StatusCanceled:
			case status == 409 && paid && after.Status == checkout.StatusComplete:
			default:
				t.Fatalf("race %d: cancel %d, paid %v (%v), checkout %s", i, status, paid, payErr, after.Status)
			}
		}
	})
}
