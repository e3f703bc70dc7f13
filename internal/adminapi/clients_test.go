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

func TestClients(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		first := e.paid(e.a.Token, e.a.Site.ID, "c-1", "Ana@Example.com")
		e.paid(e.a.Token, e.a.Site.ID, "c-2", "ana@example.com")
		e.paid(e.a.Token, e.a.Site.ID, "c-3", "bo@example.com")
		expect(t, e.do("POST", "/api/v1/transactions/"+first+"/refund", e.a.Token, `{"amount":30}`), 200, "")
		// A checkout with neither email nor clientId is nobody's.
		expect(t, e.do("POST", "/api/v1/checkouts/"+e.a.Site.ID+"/create", e.a.Token, `{"amount":100,"currency":"EUR","externalReference":"x-1"}`), 200, "")

		r := e.do("GET", "/api/v1/clients", e.a.Token, "")
		expect(t, r, 200, "")
		data := r.body["data"].([]any)
		if len(data) != 2 || r.body["total"] != float64(2) {
			t.Fatalf("clients %s", r.raw)
		}
		bo, ana := data[0].(map[string]any), data[1].(map[string]any)
		if bo["email"] != "bo@example.com" || ana["email"] != "ana@example.com" || ana["checkoutCount"] != float64(2) {
			t.Fatalf("clients, most recent first: %s", r.raw)
		}
		// Lifetime value: 100 + 100 paid, 30 refunded.
		lv := ana["lifetimeValue"].([]any)
		if len(lv) != 1 || lv[0].(map[string]any)["amount"] != float64(170) || lv[0].(map[string]any)["currency"] != "EUR" {
			t.Fatalf("lifetime value %v", lv)
		}
		id := ana["id"].(string)
		if !strings.HasPrefix(id, "cli_") || strings.Contains(strings.ToLower(id), "ana") {
			t.Fatalf("client id %q", id)
		}
		r = e.do("GET", "/api/v1/clients/"+id, e.a.Token, "")
		if expect(t, r, 200, ""); len(r.body["checkouts"].([]any)) != 2 {
			t.Fatalf("client %s", r.raw)
		}
		// The transactions of a client.
		r = e.do("GET", "/api/v1/transactions?clientId="+id, e.a.Token, "")
		if expect(t, r, 200, ""); r.body["total"] != float64(2) {
			t.Fatalf("client's transactions %s", r.raw)
		}
		r = e.do("GET", "/api/v1/clients?limit=1&page=2", e.a.Token, "")
		if expect(t, r, 200, ""); len(r.body["data"].([]any)) != 1 || r.body["data"].([]any)[0].(map[string]any)["id"] != id {
			t.Fatalf("page 2 %s", r.raw)
		}
		expect(t, e.do("GET", "/api/v1/clients?limit=101", e.a.Token, ""), 400, "invalid_request")
		// Tenancy and mode.
		expect(t, e.do("GET", "/api/v1/clients/"+id, e.b.Token, ""), 404, "not_found")
		live := keyWith(t, s, e.a.Organization.ID, checkout.ModeLive, []string{auth.ScopeClientRead})
		expect(t, e.do("GET", "/api/v1/clients/"+id, live, ""), 404, "not_found")
		r = e.do("GET", "/api/v1/clients", e.b.Token, "")
		if expect(t, r, 200, ""); len(r.body["data"].([]any)) != 0 {
			t.Fatalf("another organization sees %s", r.raw)
		}
		noScope := keyWith(t, s, e.a.Organization.ID, checkout.ModeTest, []string{auth.ScopeCheckoutRead})
		expect(t, e.do("GET", "/api/v1/clients", noScope, ""), 403, "forbidden")
	})
}

func TestEventsAndDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		start := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
		tx := e.paid(e.a.Token, e.a.Site.ID, "e-1", "a@example.com")
		e.paid(e.a.Token, e.a.Site.ID, "e-2", "b@example.com")
		expect(t, e.do("POST", "/api/v1/transactions/"+tx+"/refund", e.a.Token, `{"amount":100}`), 200, "")

		r := e.do("GET", "/api/v1/events?since="+neturlQuery(start), e.a.Token, "")
		expect(t, r, 200, "")
		var types []string
		for _, ev := range r.body["data"].([]any) {
			m := ev.(map[string]any)
			types = append(types, m["type"].(string))
			if m["data"].(map[string]any)["object"] == nil || !strings.HasPrefix(m["id"].(string), "evt_") {
				t.Fatalf("event %v", m)
			}
		}
		if strings.Count(strings.Join(types, " "), "transaction.succeeded") != 2 || !strings.Contains(strings.Join(types, " "), "transaction.refunded") {
			t.Fatalf("events %v", types)
		}
		r = e.do("GET", "/api/v1/events?type=transaction.refunded", e.a.Token, "")
		if expect(t, r, 200, ""); len(r.body["data"].([]any)) != 1 || r.body["hasMore"] != false {
			t.Fatalf("refund events %s", r.raw)
		}
		r = e.do("GET", "/api/v1/events?limit=1", e.a.Token, "")
		if expect(t, r, 200, ""); len(r.body["data"].([]any)) != 1 || r.body["hasMore"] != true {
			t.Fatalf("one event %s", r.raw)
		}
		future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		r = e.do("GET", "/api/v1/events?since="+neturlQuery(future), e.a.Token, "")
		if expect(t, r, 200, ""); len(r.body["data"].([]any)) != 0 {
			t.Fatalf("future events %s", r.raw)
		}
		for _, bad := range []string{"?type=transaction.paid", "?since=yesterday", "?limit=0", "?limit=101", "?type=checkout.expired,checkout.expired"} {
			expect(t, e.do("GET", "/api/v1/events"+bad, e.a.Token, ""), 400, "invalid_request")
		}
		r = e.do("GET", "/api/v1/events", e.b.Token, "")
		if expect(t, r, 200, ""); len(r.body["data"].([]any)) != 0 {
			t.Fatalf("another organization's events %s", r.raw)
		}
		live := keyWith(t, s, e.a.Organization.ID, checkout.ModeLive, auth.DefaultScopes)
		r = e.do("GET", "/api/v1/events", live, "")
		if expect(t, r, 200, ""); len(r.body["data"].([]any)) != 0 {
			t.Fatalf("a live key sees test events %s", r.raw)
		}

		// The dashboard: two payments of 100, one refunded in full.
		r = e.do("GET", "/api/v1/dashboard?currency=eur", e.a.Token, "")
		expect(t, r, 200, "")
		if r.body["grossVolume"] != float64(200) || r.body["netRevenue"] != float64(100) || r.body["refunded"] != float64(100) {
			t.Fatalf("dashboard %s", r.raw)
		}
		counts := r.body["counts"].(map[string]any)
		if counts["succeeded"] != float64(1) || counts["refunded"] != float64(1) || counts["failed"] != float64(0) || r.body["failureRatio"] != float64(0) {
			t.Fatalf("counts %s", r.raw)
		}
		if tp := r.body["topProviders"].([]any); len(tp) != 1 || tp[0].(map[string]any)["volume"] != float64(200) {
			t.Fatalf("top providers %s", r.raw)
		}
		if len(r.body["recentTransactions"].([]any)) != 2 {
			t.Fatalf("recent %s", r.raw)
		}
		r = e.do("GET", "/api/v1/dashboard?currency=USD", e.a.Token, "")
		if expect(t, r, 200, ""); r.body["grossVolume"] != float64(0) {
			t.Fatalf("USD %s", r.raw)
		}
		r = e.do("GET", "/api/v1/dashboard?currency=EUR", live, "")
		if expect(t, r, 200, ""); r.body["grossVolume"] != float64(0) {
			t.Fatalf("live %s", r.raw)
		}
		for _, bad := range []string{"", "?currency=EURO", "?currency=EUR&from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z",
			"?currency=EUR&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "?currency=EUR&to=soon"} {
			expect(t, e.do("GET", "/api/v1/dashboard"+bad, e.a.Token, ""), 400, "invalid_request")
		}
	})
}

func TestDeleteSite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		r := e.do("POST", "/api/v1/sites", e.a.Token, `{"displayName":"Pop-up"}`)
		expect(t, r, 201, "")
		site := r.body["id"].(string)
		r = e.do("POST", "/api/v1/checkouts/"+site+"/create", e.a.Token, `{"amount":100,"currency":"EUR","externalReference":"x-1"}`)
		expect(t, r, 200, "")
		co := r.body["id"].(string)
		expect(t, e.do("DELETE", "/api/v1/sites/"+site, e.a.Token, ""), 409, "site_has_open_checkouts")
		expect(t, e.do("DELETE", "/api/v1/sites/"+site, e.b.Token, ""), 404, "not_found")
		expect(t, e.do("POST", "/api/v1/checkouts/"+co+"/cancel", e.a.Token, ""), 200, "")
		if r := e.do("DELETE", "/api/v1/sites/"+site, e.a.Token, ""); r.status != 204 {
			t.Fatalf("delete %d %s", r.status, r.raw)
		}
		expect(t, e.do("GET", "/api/v1/sites/"+site, e.a.Token, ""), 404, "not_found")
		expect(t, e.do("PATCH", "/api/v1/sites/"+site, e.a.Token, `{"displayName":"x"}`), 404, "not_found")
		expect(t, e.do("DELETE", "/api/v1/sites/"+site, e.a.Token, ""), 404, "not_found")
		expect(t, e.do("POST", "/api/v1/checkouts/"+site+"/create", e.a.Token, `{"amount":100,"currency":"EUR","externalReference":"x-1"}`), 404, "not_found")
		r = e.do("GET", "/api/v1/sites", e.a.Token, "")
		if expect(t, r, 200, ""); len(r.body["data"].([]any)) != 1 {
			t.Fatalf("sites after delete %s", r.raw)
		}
		// Its history stays.
		expect(t, e.do("GET", "/api/v1/checkouts/"+co, e.a.Token, ""), 200, "")
	})
}

func neturlQuery(s string) string { return strings.ReplaceAll(s, "+", "%2B") }
