package dashboard_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/dashboard"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// paid makes a checkout of org and pays it with the sandbox; it returns the
// checkout and transaction ids.
func (w *world) paid(org *store.BootstrapResult, ref string) (string, string) {
	w.t.Helper()
	id := w.createCheckout(org, ref)
	ctx := context.Background()
	c, err := w.s.GetCheckout(ctx, org.Organization.ID, id)
	storetest.Must(w.t, err, "load checkout")
	res, err := payment.New(w.s).Pay(ctx, c, payment.Attempt{ProviderID: org.Provider.ID, AttemptKey: ref,
		CardNumber: "4242424242424242", ExpMonth: 12, ExpYear: 2040, CVC: "123", CardName: "Ana Ruiz"})
	storetest.Must(w.t, err, "pay")
	if res.Transaction.Status != checkout.TxSucceeded {
		w.t.Fatalf("sandbox payment %s", res.Transaction.Status)
	}
	return id, res.Transaction.ID
}

func TestSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		anon := w.client()
		if r := anon.get("/dashboard/checkouts?status=open"); r.status != http.StatusSeeOther || r.location != "/dashboard/signin?next=%2Fdashboard%2Fcheckouts%3Fstatus%3Dopen" {
			t.Fatalf("signed out: %d %s", r.status, r.location)
		}
		// After signing in the operator lands where the link pointed, never
		// on another site.
		for next, want := range map[string]string{"/dashboard/sites": "/dashboard/sites", "//evil.example/x": "/dashboard/overview",
			"https://evil.example/dashboard/": "/dashboard/overview", "/dashboard/\\evil.example": "/dashboard/overview"} {
			c := w.client()
			if r := c.post("/dashboard/signin", url.Values{"email": {w.emails["viewer"]}, "password": {password}, "next": {next}}); r.location != want {
				t.Fatalf("next %q went to %q", next, r.location)
			}
		}
		if r := anon.get("/dashboard/signin"); r.status != 200 || !strings.Contains(r.body, `name="password"`) {
			t.Fatalf("sign-in page: %d", r.status)
		}
		for _, bad := range []url.Values{
			{"email": {w.emails["admin"]}, "password": {"wrong password"}},
			{"email": {"nobody@acme.test"}, "password": {password}},
			{"email": {""}, "password": {""}},
		} {
			if r := anon.post("/dashboard/signin", bad); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "not right") {
				t.Fatalf("bad sign-in %v: %d", bad, r.status)
			}
		}

		c := w.signIn("admin")
		u, _ := url.Parse(w.admin + "/dashboard/")
		cookies := c.http.Jar.Cookies(u)
		if len(cookies) != 1 || cookies[0].Name != "pgw_session" {
			t.Fatalf("cookies after sign-in: %v", cookies)
		}
		first := cookies[0].Value
		r := c.get("/dashboard/checkouts")
		if r.status != 200 || !strings.Contains(r.body, w.emails["admin"]) {
			t.Fatalf("checkouts page: %d", r.status)
		}

		// Signing in again makes a new session; the old cookie is worth nothing.
		c.post("/dashboard/signin", url.Values{"email": {w.emails["admin"]}, "password": {password}})
		if now := c.http.Jar.Cookies(u)[0].Value; now == first {
			t.Fatal("the session cookie is not rotated at sign-in")
		}
		stale := w.client()
		stale.http.Jar.SetCookies(u, []*http.Cookie{{Name: "pgw_session", Value: first, Path: "/dashboard"}})
		if r := stale.get("/dashboard/checkouts"); r.status != http.StatusSeeOther {
			t.Fatalf("the session before re-sign-in still works: %d", r.status)
		}

		// Signing out ends the session on the server, not only in the browser.
		kept := c.http.Jar.Cookies(u)[0].Value
		if r := c.post("/dashboard/signout", nil); r.status != http.StatusSeeOther || r.location != "/dashboard/signin" {
			t.Fatalf("sign out: %d %s", r.status, r.location)
		}
		replay := w.client()
		replay.http.Jar.SetCookies(u, []*http.Cookie{{Name: "pgw_session", Value: kept, Path: "/dashboard"}})
		if r := replay.get("/dashboard/checkouts"); r.status != http.StatusSeeOther {
			t.Fatalf("a signed-out cookie still works: %d", r.status)
		}
	})
}

func TestSignInThrottled(t *testing.T) {
	w := newWorld(t, storetest.Open(t, store.SQLite))
	c := w.client()
	for i := range 5 {
		if r := c.post("/dashboard/signin", url.Values{"email": {w.emails["viewer"]}, "password": {"guess " + string(rune('a'+i))}}); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, r.status)
		}
	}
	r := c.post("/dashboard/signin", url.Values{"email": {w.emails["viewer"]}, "password": {password}})
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Too many") {
		t.Fatalf("after five failures the right password gives %d", r.status)
	}
	// Another account is not locked by them.
	w.signIn("editor")
}

func TestSessionTimeouts(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	w := newWorld(t, s)
	var mu sync.Mutex
	now := time.Now().UTC()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	mux := http.NewServeMux()
	dash := dashboard.New(s, payment.New(s), slog.New(slog.DiscardHandler), dashboard.Options{
		SessionKey: []byte("0123456789abcdef0123456789abcdef"), IdleTimeout: 30 * time.Minute, MaxAge: 2 * time.Hour, Now: clock,
	})
	dash.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	signIn := func() *client {
		c := w.client()
		c.base = srv.URL
		if r := c.post("/dashboard/signin", url.Values{"email": {w.emails["admin"]}, "password": {password}}); r.status != http.StatusSeeOther {
			t.Fatalf("sign in: %d", r.status)
		}
		return c
	}
	ok := func(c *client) bool { return c.get("/dashboard/checkouts").status == 200 }

	idle := signIn()
	advance(29 * time.Minute)
	if !ok(idle) {
		t.Fatal("a session used 29 minutes ago is refused")
	}
	advance(29 * time.Minute)
	if !ok(idle) {
		t.Fatal("using a session does not keep it alive")
	}
	advance(31 * time.Minute)
	if ok(idle) {
		t.Fatal("a session idle for 31 minutes still works")
	}

	busy := signIn()
	for range 5 {
		advance(20 * time.Minute)
		if !ok(busy) {
			t.Fatal("a session in use ends before its maximum age")
		}
	}
	advance(21 * time.Minute)
	if ok(busy) {
		t.Fatal("a session in use lives past its maximum age")
	}

	// The pruner deletes the timed-out sessions and keeps the live one.
	idle2 := signIn()
	advance(20 * time.Minute)
	fresh := signIn()
	advance(11 * time.Minute)
	storetest.Must(t, dash.Prune(context.Background()), "prune")
	n, err := s.Bun().NewSelect().Table("user_sessions").Count(context.Background())
	storetest.Must(t, err, "count sessions")
	if n != 1 || ok(idle2) {
		t.Fatalf("%d sessions after pruning, want the one in use", n)
	}
	if !ok(fresh) {
		t.Fatal("pruning ended a session in use")
	}
}

func TestRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		_, txID := w.paid(w.acme, "role-1")
		viewer, editor, admin := w.signIn("viewer"), w.signIn("editor"), w.signIn("admin")

		if r := viewer.get("/dashboard/transactions"); r.status != 200 || strings.Contains(r.body, "/refund") {
			t.Fatalf("a viewer's transactions page: %d, offers a refund: %v", r.status, strings.Contains(r.body, "/refund"))
		}
		for _, tc := range []struct {
			c    *client
			path string
			form url.Values
		}{
			{viewer, "/dashboard/transactions/" + txID + "/refund", url.Values{"amount": {"1.00"}}},
			{viewer, "/dashboard/links", url.Values{"site": {w.acme.Site.ID}}},
			{viewer, "/dashboard/keys", url.Values{"name": {"x"}, "mode": {"test"}, "scope": {"checkout:read"}}},
			{editor, "/dashboard/keys", url.Values{"name": {"x"}, "mode": {"test"}, "scope": {"checkout:read"}}},
			{editor, "/dashboard/users", url.Values{"email": {"new@acme.test"}, "role": {"admin"}}},
			{editor, "/dashboard/sites/" + w.acme.Site.ID + "/secret", nil},
		} {
			if r := tc.c.post(tc.path, tc.form); r.status != http.StatusForbidden {
				t.Errorf("POST %s: %d, want 403", tc.path, r.status)
			}
		}
		if r := viewer.get("/dashboard/links/new"); r.status != http.StatusForbidden {
			t.Errorf("a viewer opens the payment-link form: %d", r.status)
		}
		tx, err := s.GetTransactionUnscoped(context.Background(), txID)
		storetest.Must(t, err, "transaction")
		if tx.RefundedAmount != 0 {
			t.Fatalf("a viewer refunded %d", tx.RefundedAmount)
		}

		// An editor refunds part, then more than is left is refused.
		if r := editor.post("/dashboard/transactions/"+txID+"/refund", url.Values{"amount": {"10.00"}}); r.status != http.StatusSeeOther {
			t.Fatalf("editor refund: %d %s", r.status, r.body)
		}
		if r := editor.get("/dashboard/transactions"); !strings.Contains(r.body, "Refunded €10.00") {
			t.Fatalf("no confirmation of the refund: %s", r.body)
		}
		editor.post("/dashboard/transactions/"+txID+"/refund", url.Values{"amount": {"20.00"}})
		if r := editor.get("/dashboard/transactions"); !strings.Contains(r.body, "more than is left") {
			t.Fatalf("an over-refund is not explained")
		}
		tx, _ = s.GetTransactionUnscoped(context.Background(), txID)
		if tx.RefundedAmount != 1000 {
			t.Fatalf("refunded %d, want 1000", tx.RefundedAmount)
		}

		// An admin manages users: the viewer becomes an editor; the last admin stays.
		var viewerID string
		ms, err := s.ListMembers(context.Background(), w.acme.Organization.ID)
		storetest.Must(t, err, "members")
		for _, m := range ms {
			if m.User.Email == w.emails["viewer"] {
				viewerID = m.User.ID
			}
		}
		if r := admin.post("/dashboard/users/"+viewerID+"/role", url.Values{"role": {"editor"}}); r.status != http.StatusSeeOther {
			t.Fatalf("change role: %d", r.status)
		}
		if r := viewer.get("/dashboard/links/new"); r.status != 200 {
			t.Fatalf("a promoted user still cannot create links: %d", r.status)
		}
		if r := admin.post("/dashboard/users/"+w.acme.User.ID+"/role", url.Values{"role": {"viewer"}}); r.status != http.StatusSeeOther {
			t.Fatalf("demote: %d %s", r.status, r.body)
		}
		if r := admin.get("/dashboard/users"); !strings.Contains(r.body, "at least one admin") {
			t.Fatalf("demoting the last admin is not refused: %s", r.body)
		}
		if r := admin.post("/dashboard/users/"+viewerID+"/remove", nil); r.status != http.StatusSeeOther {
			t.Fatalf("remove: %d", r.status)
		}
		if r := viewer.get("/dashboard/checkouts"); r.status != http.StatusSeeOther {
			t.Fatalf("a removed user keeps access: %d", r.status)
		}
	})
}

func TestOtherOrganizationIsolated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		coID, txID := w.paid(w.acme, "acme-secret-order")
		other := w.signIn("other")
		if r := other.get("/dashboard/checkouts?q=acme-secret"); r.status != 200 || strings.Contains(r.body, "acme-secret-order") {
			t.Fatalf("another organization's list shows the checkout (%d)", r.status)
		}
		if r := other.get("/dashboard/transactions"); strings.Contains(r.body, txID) {
			t.Fatal("another organization's transactions show it")
		}
		for _, path := range []string{"/dashboard/checkouts/" + coID, "/dashboard/sites/" + w.acme.Site.ID} {
			if r := other.get(path); r.status != http.StatusNotFound {
				t.Errorf("GET %s from another organization: %d", path, r.status)
			}
		}
		for _, path := range []string{
			"/dashboard/transactions/" + txID + "/refund", "/dashboard/checkouts/" + coID + "/expire",
			"/dashboard/checkouts/" + coID + "/cancel", "/dashboard/sites/" + w.acme.Site.ID + "/secret", "/dashboard/keys/" + w.acme.APIKey.ID + "/revoke",
			"/dashboard/users/" + w.acme.User.ID + "/remove",
		} {
			if r := other.post(path, url.Values{"amount": {"1.00"}, "role": {"viewer"}}); r.status != http.StatusNotFound {
				t.Errorf("POST %s from another organization: %d", path, r.status)
			}
		}
		if r := other.post("/dashboard/links", url.Values{"site": {w.acme.Site.ID}, "currency": {"EUR"}, "reference": {"x"},
			"item_name": {"x"}, "item_qty": {"1"}, "item_price": {"1"}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("a payment link on another organization's site: %d", r.status)
		}
		if r := other.post("/dashboard/org", url.Values{"org": {w.acme.Organization.ID}}); r.status != http.StatusNotFound {
			t.Errorf("switching into an organization one is not a member of: %d", r.status)
		}
		tx, _ := s.GetTransactionUnscoped(context.Background(), txID)
		c, _ := s.GetCheckout(context.Background(), w.acme.Organization.ID, coID)
		k, _ := s.GetAPIKey(context.Background(), w.acme.APIKey.ID)
		if tx.RefundedAmount != 0 || c.Status != checkout.StatusComplete || !k.Active() {
			t.Fatalf("another organization changed data: refunded %d, checkout %s, key active %v", tx.RefundedAmount, c.Status, k.Active())
		}
	})
}

func TestCrossOriginPostRefused(t *testing.T) {
	w := newWorld(t, storetest.Open(t, store.SQLite))
	c := w.signIn("admin")
	for _, h := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"},
		{"Origin": "https://evil.example"},
	} {
		req, _ := http.NewRequest("POST", w.admin+"/dashboard/keys", strings.NewReader("name=stolen&mode=live&scope=checkout%3Aread"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		if r := c.do(req); r.status != http.StatusForbidden {
			t.Errorf("POST with %v: %d", h, r.status)
		}
	}
	keys, err := w.s.ListAPIKeys(context.Background(), w.acme.Organization.ID)
	storetest.Must(t, err, "keys")
	for _, k := range keys {
		if k.Name == "stolen" {
			t.Fatal("a cross-origin POST created a key")
		}
	}
	if r := c.post("/dashboard/keys", url.Values{"name": {"mine"}, "mode": {"test"}, "scope": {"checkout:read", "checkout:create"}}); r.status != http.StatusCreated || !strings.Contains(r.body, "sk_test_") {
		t.Fatalf("same-origin key creation: %d", r.status)
	}
}
