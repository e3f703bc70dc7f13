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

func TestProviderManagement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		base := "/api/v1/sites/" + e.a.Site.ID + "/providers"
		r := e.do("POST", base, e.a.Token, `{"type":"stripe","config":{"secretKey":"sk_test_abcdefghijklmnop","publishableKey":"pk_test_abc","webhookSecret":"whsec_abcdefghijkl"}}`)
		expect(t, r, 201, "")
		stripeID := r.body["id"].(string)
		r = e.do("GET", base+"/"+stripeID, e.a.Token, "")
		if expect(t, r, 200, ""); strings.Contains(string(r.raw), "abcdefghijklmnop") || r.body["mode"] != "test" {
			t.Fatalf("provider shows a secret or lost its mode: %s", r.raw)
		}
		// Secrets are write-only: a change keeps what it leaves out.
		r = e.do("PATCH", base+"/"+stripeID, e.a.Token, `{"name":"Cards","config":{"webhookSecret":"whsec_rotated12345"}}`)
		expect(t, r, 200, "")
		p, err := s.GetProvider(ctx, stripeID)
		storetest.Must(t, err, "provider")
		if p.Name != "Cards" || !strings.Contains(p.Config, "whsec_rotated12345") || !strings.Contains(p.Config, "sk_test_abcdefghijklmnop") {
			t.Fatalf("after the change: %s %s", p.Name, p.Config)
		}
		r = e.do("PATCH", base+"/"+stripeID, e.a.Token, `{"config":{"secretKey":"sk_live_x","publishableKey":"pk_live_x"}}`)
		expect(t, r, 422, "validation_error")
		expect(t, e.do("PATCH", base+"/"+stripeID, e.a.Token, `{"name":""}`), 422, "validation_error")
		// A bank transfer account: checked again as a whole.
		r = e.do("POST", base, e.a.Token, `{"type":"wire","config":{"accountHolder":"Shop","bankName":"Bank","iban":"DE89370400440532013000","bic":"COBADEFF"}}`)
		expect(t, r, 201, "")
		wireID := r.body["id"].(string)
		if r := e.do("PATCH", base+"/"+wireID, e.a.Token, `{"config":{"iban":"DE88370400440532013000"}}`); r.status != 422 || r.body["field"] != "config.iban" {
			t.Fatalf("a bad IBAN: %d %s", r.status, r.raw)
		}
		r = e.do("PATCH", base+"/"+wireID, e.a.Token, `{"config":{"paymentWindowDays":7}}`)
		if expect(t, r, 200, ""); r.body["config"].(map[string]any)["paymentWindowDays"] != "7" || r.body["config"].(map[string]any)["iban"] != "DE89370400440532013000" {
			t.Fatalf("window: %s", r.raw)
		}
		// Others do not find them; a used provider is not deleted.
		expect(t, e.do("GET", base+"/"+wireID, e.b.Token, ""), 404, "not_found")
		expect(t, e.do("GET", "/api/v1/sites/"+e.b.Site.ID+"/providers/"+wireID, e.a.Token, ""), 404, "not_found")
		k, live := auth.NewKey(e.a.Organization.ID, "live", checkout.ModeLive, []string{auth.ScopeProviderRead, auth.ScopeProviderUpdate}, store.TimeNow())
		storetest.Must(t, s.CreateAPIKey(ctx, k), "live key")
		expect(t, e.do("GET", base+"/"+wireID, live, ""), 404, "not_found")
		expect(t, e.do("DELETE", base+"/"+wireID, live, ""), 404, "not_found")
		e.paid(e.a.Token, e.a.Site.ID, "used", "u@example.com")
		expect(t, e.do("DELETE", base+"/"+e.a.Provider.ID, e.a.Token, ""), 409, "provider_in_use")
		if r := e.do("DELETE", base+"/"+wireID, e.a.Token, ""); r.status != 204 {
			t.Fatalf("delete: %d %s", r.status, r.raw)
		}
		expect(t, e.do("GET", base+"/"+wireID, e.a.Token, ""), 404, "not_found")
	})
}
