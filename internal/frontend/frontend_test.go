package frontend_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

var ctx = context.Background()

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	storetest.Must(t, err, "GET %s", url)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestHostedSummaryPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := httptest.NewServer(app.Frontend(&config.Config{}, s, slog.New(slog.DiscardHandler)).Handler)
		defer srv.Close()
		r, err := store.Bootstrap(ctx, s, store.BootstrapInput{Org: "O", Site: "Kaffee & Co"})
		storetest.Must(t, err, "bootstrap")
		req := &checkout.CreateRequest{
			Amount: "7376", Currency: "JPY", ExternalReference: `<script>alert("x")</script>`,
			Items: []checkout.ItemRequest{{Name: "Sencha <b>", Quantity: "2", UnitPrice: "3000"}, {Name: "Shipping", UnitPrice: "1376"}},
		}
		c, err := checkout.Build(req, checkout.Settings{OrganizationID: r.Organization.ID, SiteID: r.Site.ID,
			Mode: checkout.ModeTest, Source: checkout.SourceAPI, DefaultExpiry: time.Hour, MaxAmount: 1e9}, store.TimeNow())
		storetest.Must(t, err, "build")
		storetest.Must(t, s.CreateCheckout(ctx, c, nil), "create")

		resp, body := get(t, srv.URL+"/checkout/"+c.ShortCode)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		for _, want := range []string{"Kaffee &amp; Co", "Sencha &lt;b&gt;", "&lt;script&gt;", "7376 JPY", "6000 JPY", `id="state"`} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if strings.Contains(body, "<script>") {
			t.Fatal("unescaped script in page")
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") ||
			resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") != "no-referrer" ||
			resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("security headers %v", resp.Header)
		}
		// The stylesheet the page links is served, cacheable under its hashed name.
		i := strings.Index(body, `href="/static/`)
		href := body[i+6 : i+6+strings.Index(body[i+6:], `"`)]
		css, cssBody := get(t, srv.URL+href)
		if css.StatusCode != 200 || !strings.Contains(css.Header.Get("Cache-Control"), "immutable") || !strings.Contains(cssBody, "--brand") {
			t.Fatalf("stylesheet %s: %d %v", href, css.StatusCode, css.Header)
		}

		_, err = s.ExpireCheckout(ctx, r.Organization.ID, c.ID)
		storetest.Must(t, err, "expire")
		if _, body := get(t, srv.URL+"/checkout/"+c.ShortCode); !strings.Contains(body, "has expired") {
			t.Fatal("expired checkout not shown as expired")
		}
		if resp, body := get(t, srv.URL+"/checkout/nosuchcode12345678"); resp.StatusCode != 404 || !strings.Contains(body, "not found") {
			t.Fatalf("unknown code: %d", resp.StatusCode)
		}
		if resp, _ := get(t, srv.URL+"/health/ready"); resp.StatusCode != 200 {
			t.Fatalf("ready: %d", resp.StatusCode)
		}
	})
}
