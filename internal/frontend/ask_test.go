package frontend_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/customdomain"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// Caddy's ask endpoint allows certificates for our own host and verified
// domains only.
func TestTLSAsk(t *testing.T) {
	sh := newShop(t)
	ctx := context.Background()
	claim := func(host, status string) {
		d := &customdomain.Domain{ID: ids.New("dom"), OrganizationID: sh.r.Organization.ID, SiteID: sh.r.Site.ID, Hostname: host,
			Token: "t", Status: customdomain.Pending, CreatedAt: store.TimeNow()}
		storetest.Must(t, sh.s.CreateDomain(ctx, d), "claim")
		storetest.Must(t, sh.s.SetDomainStatus(ctx, d, status, "", time.Now()), "status")
	}
	claim("pay.shop.example", customdomain.Verified)
	claim("pending.shop.example", customdomain.Failed)
	for domain, want := range map[string]int{
		"pay.shop.example": 200, "PAY.shop.example.": 200, "pending.shop.example": 404, "evil.example": 404,
		"127.0.0.1": 404, "": 404, "x": 404,
	} {
		resp, err := http.Get(sh.front + "/api/v1/domains/verify?domain=" + domain)
		storetest.Must(t, err, "ask")
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("ask %q: %d, want %d", domain, resp.StatusCode, want)
		}
	}
}

// On a verified custom domain main-frontend serves its site's checkouts and
// links only; our own host serves every site.
func TestCustomDomainServesItsSite(t *testing.T) {
	sh := newShop(t)
	ctx := context.Background()
	d := &customdomain.Domain{ID: ids.New("dom"), OrganizationID: sh.r.Organization.ID, SiteID: sh.r.Site.ID, Hostname: "pay.shop.example",
		Token: "t", Status: customdomain.Pending, CreatedAt: store.TimeNow()}
	storetest.Must(t, sh.s.CreateDomain(ctx, d), "claim")
	storetest.Must(t, sh.s.SetDomainStatus(ctx, d, customdomain.Verified, "", time.Now()), "verify")
	ours := sh.create(`{"amount":100,"currency":"EUR","externalReference":"cd-1"}`)
	other, err := store.Bootstrap(ctx, sh.s, store.BootstrapInput{Org: "Other", Site: "Other Shop"})
	storetest.Must(t, err, "another organization")
	theirs := sh.createAs(other, `{"amount":100,"currency":"EUR","externalReference":"cd-2"}`)
	var last http.Header
	get := func(host, path string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", sh.front+path, nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		storetest.Must(t, err, "GET %s on %s", path, host)
		resp.Body.Close()
		last = resp.Header
		return resp.StatusCode
	}
	ourPath := "/checkout/" + ours["shortCode"].(string)
	theirPath := "/checkout/" + theirs["shortCode"].(string)
	for _, tc := range []struct {
		host, path string
		want       int
	}{
		{"pay.shop.example", ourPath, 200}, {"PAY.shop.example:443", ourPath, 200}, {"pay.shop.example", theirPath, 404},
		{"127.0.0.1", theirPath, 200}, {"unknown.example", theirPath, 200},
	} {
		if got := get(tc.host, tc.path); got != tc.want {
			t.Errorf("%s on %s: %d, want %d", tc.path, tc.host, got, tc.want)
		}
	}
	// The page's policies follow the host: forms post to the origin the page
	// came from ('self', whatever the host), HSTS covers the merchant's
	// hostname alone (no includeSubDomains: the rest of their domain is
	// theirs), and no cookie is set on their name.
	get("pay.shop.example", ourPath)
	if csp := last.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self'") || strings.Contains(csp, "secure.example.com") {
		t.Errorf("CSP on a custom domain: %s", csp)
	}
	if hsts := last.Get("Strict-Transport-Security"); hsts != "max-age=63072000" {
		t.Errorf("HSTS on a custom domain: %q", hsts)
	}
	if c := last.Values("Set-Cookie"); len(c) != 0 {
		t.Errorf("cookies on a custom domain: %q", c)
	}
}

// BenchmarkTLSAsk is Caddy's ask for a verified domain, answered from the
// cache after the first, and for names that are not ours, each a lookup.
func BenchmarkTLSAsk(b *testing.B) {
	s := storetest.Open(b, store.SQLite)
	srv := app.Frontend(&config.Config{}, s, slog.New(slog.DiscardHandler)).Handler
	r, _ := store.Bootstrap(ctx, s, store.BootstrapInput{Org: "b", Site: "b"})
	d := &customdomain.Domain{ID: ids.New("dom"), OrganizationID: r.Organization.ID, SiteID: r.Site.ID, Hostname: "pay.shop.example",
		Token: "t", Status: customdomain.Pending, CreatedAt: store.TimeNow()}
	storetest.Must(b, s.CreateDomain(ctx, d), "claim")
	storetest.Must(b, s.SetDomainStatus(ctx, d, customdomain.Verified, "", time.Now()), "verify")
	ask := func(b *testing.B, domain func(i int) string, want int) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/domains/verify?domain="+domain(i), nil))
			if w.Code != want {
				b.Fatal(w.Code)
			}
		}
	}
	b.Run("verified", func(b *testing.B) { ask(b, func(int) string { return "pay.shop.example" }, 200) })
	b.Run("unknown", func(b *testing.B) { ask(b, func(i int) string { return "n" + strconv.Itoa(i) + ".example" }, 404) })
}
