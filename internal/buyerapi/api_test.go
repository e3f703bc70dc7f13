package buyerapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/apidoc"
	"github.com/pgw/pgw/internal/apidoc/apidoctest"
	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

var ctx = context.Background()

const frontend = "https://secure.example.com"

type env struct {
	t   *testing.T
	s   *store.Store
	url string
	r   *store.BootstrapResult
}

func newEnv(t *testing.T, s *store.Store, configure ...func(*config.Config)) *env {
	cfg := &config.Config{}
	cfg.URLs.MainFrontend = frontend
	cfg.Checkout.SweepInterval = time.Hour
	for _, fn := range configure {
		fn(cfg)
	}
	srv := httptest.NewServer(apidoctest.New(t, apidoc.MustRuntime(), "/api/", "/hooks/").Wrap(app.Runtime(cfg, s, slog.New(slog.DiscardHandler)).Handler))
	t.Cleanup(srv.Close)
	r, err := store.Bootstrap(ctx, s, store.BootstrapInput{Org: "O", Site: "Shop"})
	storetest.Must(t, err, "bootstrap")
	return &env{t: t, s: s, url: srv.URL, r: r}
}

func (e *env) checkout(body string, mode checkout.Mode) *checkout.Checkout {
	e.t.Helper()
	var req checkout.CreateRequest
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	storetest.Must(e.t, dec.Decode(&req), "decode")
	c, err := checkout.Build(&req, checkout.Settings{OrganizationID: e.r.Organization.ID, SiteID: e.r.Site.ID, Mode: mode,
		Source: checkout.SourceAPI, DefaultExpiry: time.Hour, MaxAmount: 1e12}, store.TimeNow())
	storetest.Must(e.t, err, "build")
	storetest.Must(e.t, e.s.CreateCheckout(ctx, c, nil), "create")
	return c
}

func (e *env) do(method, path, body string, headers ...string) (int, http.Header, map[string]any, string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	storetest.Must(e.t, err, "%s %s", method, path)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(raw, &m) //nolint:errcheck // some answers are empty
	return resp.StatusCode, resp.Header, m, string(raw)
}

func (e *env) pay(c *checkout.Checkout, number, extra string) (int, map[string]any, string) {
	body := `{"sessionPublicId":"` + c.SessionPublicID + `","providerId":"` + e.r.Provider.ID + `",` + extra +
		`"card":{"number":"` + number + `","expMonth":12,"expYear":2034,"cvc":"123","name":"Ana Ruiz"}}`
	status, _, m, raw := e.do("POST", "/api/v1/transactions/create", body, "Origin", frontend)
	return status, m, raw
}

func TestBuyerSafeCheckoutView(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		c := e.checkout(`{"amount":11900,"currency":"EUR","externalReference":"ord-7","clientId":"client-secret-id",
			"ipnUrl":"https://shop.example/ipn","metadata":{"internal":"do-not-show"},
			"items":[{"name":"A","quantity":2,"unitPrice":5000,"vatRate":19},{"name":"B","unitPrice":1900,"vatRate":19}]}`, checkout.ModeTest)
		status, h, v, raw := e.do("GET", "/api/v1/checkouts/"+c.SessionPublicID, "", "Origin", frontend)
		if status != 200 || h.Get("Access-Control-Allow-Origin") != frontend {
			t.Fatalf("view: %d %v %s", status, h, raw)
		}
		for _, secret := range []string{"do-not-show", "metadata", "ipn", "client-secret-id", c.ID, e.r.Organization.ID, e.r.Site.ID} {
			if strings.Contains(raw, secret) {
				t.Fatalf("buyer view leaks %q: %s", secret, raw)
			}
		}
		totals := v["totals"].(map[string]any)
		if v["id"] != c.SessionPublicID || v["status"] != "open" || totals["tax"].(float64) != 1900 || totals["subtotal"].(float64) != 10000 ||
			len(v["providers"].([]any)) != 1 || v["reference"] != "ord-7" {
			t.Fatalf("view: %s", raw)
		}
		if status, _, _, _ := e.do("GET", "/api/v1/checkouts/"+c.SessionPublicID, "", "Origin", "https://evil.example"); status != 403 {
			t.Fatalf("foreign origin: %d", status)
		}
		status, h, _, _ = e.do("OPTIONS", "/api/v1/transactions/create", "", "Origin", frontend, "Access-Control-Request-Method", "POST")
		if status != 204 || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
			t.Fatalf("preflight: %d %v", status, h)
		}
		if status, _, _, _ := e.do("GET", "/api/v1/checkouts/nosuchpublicid0000000000", ""); status != 404 {
			t.Fatalf("unknown: %d", status)
		}
	})
}

func TestTransactionsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		c := e.checkout(`{"amount":4900,"currency":"EUR","externalReference":"o","returnUrl":"https://shop.example/ok/{transactionId}"}`, checkout.ModeTest)

		status, m, raw := e.pay(c, "4000000000000002", `"amount":1,`)
		if status != http.StatusPaymentRequired || m["code"] != "card_declined" || m["status"].(float64) != 2 || m["amount"].(float64) != 4900 {
			t.Fatalf("decline: %d %s", status, raw)
		}
		if status, m, raw = e.pay(c, "4242", ""); status != 422 || m["field"] != "card.number" {
			t.Fatalf("bad number: %d %s", status, raw)
		}
		status, m, raw = e.pay(c, "4242424242424242", `"attemptKey":"k1","amount":1,`)
		if status != 200 || m["status"].(float64) != 1 || m["amount"].(float64) != 4900 ||
			m["redirectUrl"] != "https://shop.example/ok/"+m["transactionId"].(string) {
			t.Fatalf("pay (the body's amount must be ignored): %d %s", status, raw)
		}
		id := m["transactionId"].(string)
		// The same attempt key replays the first answer.
		if status, again, _ := e.pay(c, "4242424242424242", `"attemptKey":"k1",`); status != 200 || again["transactionId"] != id {
			t.Fatalf("replay: %d %v", status, again)
		}
		if status, _, _ := e.pay(c, "4242424242424242", `"attemptKey":"k2",`); status != 409 {
			t.Fatalf("second payment: %d", status)
		}
		status, _, st, raw := e.do("GET", "/api/v1/transactions/"+id+"/status", "")
		if status != 200 || st["status"].(float64) != 1 || st["statusName"] != "succeeded" || st["currency"] != "EUR" {
			t.Fatalf("status: %d %s", status, raw)
		}
		if status, _, m, _ := e.do("POST", "/api/v1/transactions/"+id+"/cancel", ""); status != 409 || m["code"] != "transaction_not_pending" {
			t.Fatalf("cancel succeeded transaction: %d %v", status, m)
		}
		if status, _, _, _ := e.do("GET", "/api/v1/transactions/txn_nope/status", ""); status != 404 {
			t.Fatalf("unknown transaction: %d", status)
		}

		// A live checkout offers no sandbox; other sites' providers are refused.
		live := e.checkout(`{"amount":100,"currency":"EUR","externalReference":"l"}`, checkout.ModeLive)
		if status, m, _ := e.pay(live, "4242424242424242", ""); status != 422 || m["code"] != "payment_method_unavailable" {
			t.Fatalf("sandbox on live: %d %v", status, m)
		}
		// An expired checkout refuses payment and records nothing.
		old := e.checkout(`{"amount":100,"currency":"EUR","externalReference":"x"}`, checkout.ModeTest)
		_, err := s.ExpireCheckout(ctx, e.r.Organization.ID, old.ID)
		storetest.Must(t, err, "expire")
		if status, m, _ := e.pay(old, "4242424242424242", ""); status != 409 || m["code"] != "checkout_not_open" {
			t.Fatalf("expired: %d %v", status, m)
		}
		if got, _ := s.GetCheckout(ctx, e.r.Organization.ID, old.ID); len(got.Transactions) != 0 {
			t.Fatalf("expired checkout took %d attempts", len(got.Transactions))
		}
		if status, _, _, _ := e.do("POST", "/api/v1/transactions/create", `{"sessionPublicId":`); status != 400 {
			t.Fatalf("malformed: %d", status)
		}
	})
}

func TestSweeperExpiresOverdue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		c := e.checkout(`{"amount":100,"currency":"EUR","externalReference":"x"}`, checkout.ModeTest)
		_, err := s.Bun().NewUpdate().Table("checkouts").Set("expires_at = ?", store.TimeNow().Add(-time.Minute)).Where("id = ?", c.ID).Exec(ctx)
		storetest.Must(t, err, "age")
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			runtimeSweep(sctx, s)
		}()
		deadline := time.Now().Add(5 * time.Second)
		for {
			got, _ := s.GetCheckout(ctx, e.r.Organization.ID, c.ID)
			if got.Status == checkout.StatusExpired {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("sweeper did not expire the checkout")
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		<-done
		evs, _ := s.EventsFor(ctx, c.ID)
		if len(evs) != 1 || evs[0].Type != "checkout.expired" {
			t.Fatalf("events %v", evs)
		}
	})
}

func TestRuntimeMethodNotAllowed(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	status, h, v, raw := e.do("GET", "/api/v1/transactions/create", "")
	if status != 405 || h.Get("Allow") != "POST" || v["code"] != "method_not_allowed" {
		t.Fatalf("GET on a POST route: %d %q %s", status, h.Get("Allow"), raw)
	}
	if status, _, v, _ := e.do("GET", "/api/v1/nope", ""); status != 404 || v["code"] != "not_found" {
		t.Fatalf("unknown path: %d %v", status, v)
	}
}
