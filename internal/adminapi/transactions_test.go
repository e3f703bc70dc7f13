package adminapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestListTransactions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		first := e.paid(e.a.Token, e.a.Site.ID, "t-1", "a@example.com")
		second := e.paid(e.a.Token, e.a.Site.ID, "t-2", "b@example.com")
		r := e.do("POST", "/api/v1/transactions/"+first+"/refund", e.a.Token, `{"amount":40}`)
		expect(t, r, 200, "")

		list := func(query string) []string {
			t.Helper()
			r := e.do("GET", "/api/v1/transactions"+query, e.a.Token, "")
			expect(t, r, 200, "")
			var ids []string
			for _, d := range r.body["data"].([]any) {
				ids = append(ids, d.(map[string]any)["id"].(string))
			}
			return ids
		}
		if got := list(""); strings.Join(got, ",") != second+","+first {
			t.Fatalf("list %v; want newest first, this organization's only", got)
		}
		if got := list("?status=succeeded&currency=eur&siteId=" + e.a.Site.ID); len(got) != 2 {
			t.Fatalf("filtered %v", got)
		}
		if got := list("?providerId=prov_none"); len(got) != 0 {
			t.Fatalf("another provider's %v", got)
		}
		if got := list("?limit=1&page=2"); strings.Join(got, ",") != first {
			t.Fatalf("page 2 of 1 %v", got)
		}
		future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		if got := list("?from=" + future); len(got) != 0 {
			t.Fatalf("from the future %v", got)
		}
		if got := list("?to=" + future); len(got) != 2 {
			t.Fatalf("until the future %v", got)
		}
		for _, bad := range []string{"?status=paid", "?currency=EURO", "?limit=101", "?page=0", "?from=yesterday"} {
			expect(t, e.do("GET", "/api/v1/transactions"+bad, e.a.Token, ""), 400, "invalid_request")
		}
		// A live key sees no test transactions.
		k, tok := auth.NewKey(e.a.Organization.ID, "live", checkout.ModeLive, []string{auth.ScopeTransactionRead}, store.TimeNow())
		storetest.Must(t, s.CreateAPIKey(ctx, k), "live key")
		r = e.do("GET", "/api/v1/transactions", tok, "")
		if expect(t, r, 200, ""); len(r.body["data"].([]any)) != 0 {
			t.Fatalf("a live key lists test transactions: %s", r.raw)
		}
		// Another organization sees none of them.
		r = e.do("GET", "/api/v1/transactions", e.b.Token, "")
		if expect(t, r, 200, ""); len(r.body["data"].([]any)) != 0 || r.body["total"] != float64(0) {
			t.Fatalf("another organization lists %s", r.raw)
		}
		// Refunds of one transaction.
		r = e.do("GET", "/api/v1/transactions/"+first+"/refunds", e.a.Token, "")
		expect(t, r, 200, "")
		if rs := r.body["data"].([]any); len(rs) != 1 || rs[0].(map[string]any)["amount"] != float64(40) {
			t.Fatalf("refunds %s", r.raw)
		}
		expect(t, e.do("GET", "/api/v1/transactions/"+first+"/refunds", e.b.Token, ""), 404, "not_found")
	})
}
