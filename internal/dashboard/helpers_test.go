package dashboard_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tenant"
)

const password = "correct horse battery"

// world is admin-backend and main-frontend on loopback with two
// organizations: Acme (an admin, an editor and a viewer) and Other (an admin).
type world struct {
	t      *testing.T
	s      *store.Store
	admin  string
	front  string
	acme   *store.BootstrapResult
	other  *store.BootstrapResult
	emails map[string]string // role name -> email
}

func newWorld(t *testing.T, s *store.Store, configure ...func(*config.Config)) *world {
	t.Helper()
	front := httptest.NewUnstartedServer(nil)
	front.Start()
	t.Cleanup(front.Close)
	admin := httptest.NewUnstartedServer(nil)
	admin.Start()
	t.Cleanup(admin.Close)
	cfg := &config.Config{Limits: config.Default().Limits}
	cfg.URLs.MainFrontend, cfg.URLs.AdminBackend = front.URL, admin.URL
	cfg.Checkout.MaxAmount = 1e12
	for _, fn := range configure {
		fn(cfg)
	}
	front.Config.Handler = app.Frontend(cfg, s, slog.New(slog.DiscardHandler)).Handler
	admin.Config.Handler = app.Admin(cfg, s, slog.New(slog.DiscardHandler)).Handler
	w := &world{t: t, s: s, admin: admin.URL, front: front.URL, emails: map[string]string{}}
	hash, err := auth.HashPassword(password)
	storetest.Must(t, err, "hash")
	ctx := context.Background()
	suffix := strings.ToLower(ids.Token(6))
	w.acme, err = store.Bootstrap(ctx, s, store.BootstrapInput{Org: "Acme " + suffix, Site: "Acme Shop", Email: "admin-" + suffix + "@acme.test", PasswordHash: hash})
	storetest.Must(t, err, "bootstrap acme")
	w.other, err = store.Bootstrap(ctx, s, store.BootstrapInput{Org: "Other " + suffix, Site: "Other Shop", Email: "admin-" + suffix + "@other.test", PasswordHash: hash})
	storetest.Must(t, err, "bootstrap other")
	w.emails["admin"], w.emails["other"] = w.acme.User.Email, w.other.User.Email
	for _, role := range []tenant.Role{tenant.RoleEditor, tenant.RoleViewer} {
		u := &tenant.User{ID: ids.New("usr"), Email: string(role) + "-" + suffix + "@acme.test", Name: string(role), PasswordHash: hash, CreatedAt: store.TimeNow()}
		storetest.Must(t, s.CreateUser(ctx, u, w.acme.Organization.ID, role), "create %s", role)
		w.emails[string(role)] = u.Email
	}
	return w
}

// client is a browser-like HTTP client with its own cookies that does not
// follow redirects.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func (w *world) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: w.t, base: w.admin, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// signIn signs c in as the user of role ("admin", "editor", "viewer", "other").
func (w *world) signIn(role string) *client {
	c := w.client()
	resp := c.post("/dashboard/signin", url.Values{"email": {w.emails[role]}, "password": {password}})
	if resp.status != http.StatusSeeOther || resp.location != "/dashboard/overview" {
		w.t.Fatalf("sign in as %s: %d %s %s", role, resp.status, resp.location, resp.body)
	}
	return c
}

type response struct {
	status   int
	location string
	body     string
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	resp, err := c.http.Do(req)
	storetest.Must(c.t, err, "%s %s", req.Method, req.URL)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b)}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	return c.do(req)
}

// post sends a form as a same-origin browser would.
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", c.base)
	return c.do(req)
}

// createCheckout makes a checkout of org through the Admin API.
// The merchant is notified at https://merchant.example/ipn, which nothing
// here delivers to.
func (w *world) createCheckout(org *store.BootstrapResult, ref string) string {
	w.t.Helper()
	return w.createCheckoutWith(org, `{"amount":2500,"currency":"EUR","externalReference":"`+ref+`","email":"buyer@example.com",
		"ipnUrl":"https://merchant.example/ipn","items":[{"name":"Mug","quantity":2,"unitPrice":1250}]}`)
}

// createCheckoutWith makes a checkout of org from a create request's body.
func (w *world) createCheckoutWith(org *store.BootstrapResult, body string) string {
	w.t.Helper()
	req, _ := http.NewRequest("POST", w.admin+"/api/v1/checkouts/"+org.Site.ID+"/create", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+org.Token)
	resp, err := http.DefaultClient.Do(req)
	storetest.Must(w.t, err, "create checkout")
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var created struct{ ID string }
	if resp.StatusCode != 200 || json.Unmarshal(b, &created) != nil || created.ID == "" {
		w.t.Fatalf("create checkout: %d %s", resp.StatusCode, b)
	}
	return created.ID
}
