package adminapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/apidoc"
	"github.com/pgw/pgw/internal/apidoc/apidoctest"
	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tenant"
)

var ctx = context.Background()

// env is an admin-backend on loopback over a real store, with two organizations.
type env struct {
	t      *testing.T
	s      *store.Store
	url    string
	a, b   *store.BootstrapResult
	client *http.Client
}

func newEnv(t *testing.T, s *store.Store, configure ...func(*config.Config)) *env {
	cfg := &config.Config{}
	cfg.URLs.MainFrontend = "https://secure.example.com"
	cfg.Checkout.MaxAmount = 100_000_000
	cfg.Notify.SecretOverlap = time.Hour
	cfg.Notify.MaxAge = 72 * time.Hour
	for _, fn := range configure {
		fn(cfg)
	}
	comp := app.Admin(cfg, s, slog.New(slog.DiscardHandler))
	// Every request and answer of these tests is held to the document.
	srv := httptest.NewServer(apidoctest.New(t, apidoc.MustAdmin(), "/api/", "/v1/", "/checkout-intents", "/payment-intents", "/refunds").Wrap(comp.Handler))
	t.Cleanup(srv.Close)
	e := &env{t: t, s: s, url: srv.URL, client: srv.Client()}
	var err error
	e.a, err = store.Bootstrap(ctx, s, store.BootstrapInput{Org: "Org A", Site: "Shop A", IPNVersion: tenant.IPNv1})
	storetest.Must(t, err, "bootstrap a")
	e.b, err = store.Bootstrap(ctx, s, store.BootstrapInput{Org: "Org B", Site: "Shop B", IPNVersion: tenant.IPNv1})
	storetest.Must(t, err, "bootstrap b")
	return e
}

type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (e *env) do(method, path, token, body string, headers ...string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	storetest.Must(e.t, err, "request")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.client.Do(req)
	storetest.Must(e.t, err, "%s %s", method, path)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: raw}
	json.Unmarshal(raw, &r.body) //nolint:errcheck // some answers are not objects
	if resp.Header.Get("X-Request-ID") == "" {
		e.t.Errorf("%s %s: no X-Request-ID", method, path)
	}
	return r
}

func (e *env) count(orgID string) int {
	_, n, err := e.s.ListCheckouts(ctx, store.CheckoutFilter{OrganizationID: orgID, Page: 1, Limit: 1})
	storetest.Must(e.t, err, "count")
	return n
}

func expect(t *testing.T, r response, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	if code != "" {
		if r.body["code"] != code || r.body["error"] == "" || r.body["requestId"] == "" {
			t.Fatalf("error body %s, want code %s with error and requestId", r.raw, code)
		}
		if r.body["requestId"] != r.header.Get("X-Request-ID") {
			t.Fatalf("requestId %v differs from header %s", r.body["requestId"], r.header.Get("X-Request-ID"))
		}
	}
}

// The body the WooCommerce plugin sends (PHP json_encode: floats for round()).
const wooBody = `{"amount":4900.0,"currency":"EUR","email":"buyer@example.com","externalReference":"1042",
"returnUrl":"https:\/\/shop.example\/checkout\/order-received\/1042\/?key=wc_order_abc",
"cancelUrl":"https:\/\/shop.example\/cart\/?cancel_order=true&order=wc_order_abc&order_id=1042&redirect&_wpnonce=5f",
"ipnUrl":"https:\/\/shop.example\/?wc-api=wc_payment_gateway_app",
"billingAddress":{"firstName":"Ana","lastName":"Ruiz","address1":"Calle Mayor 1","address2":"","city":"Madrid","postcode":"28013","country":"ES","phone":"+34 600 000 000"},
"shippingAddress":{"firstName":"Ana","lastName":"Ruiz","address1":"Calle Mayor 1","address2":"","city":"Madrid","postcode":"28013","country":"ES"},
"items":[{"description":"Hoodie","quantity":2,"unitPrice":1500.0,"itemType":"physical"},
{"description":"Shipping","quantity":1,"unitPrice":2400.0,"itemType":"shipping"},
{"description":"Coupon","quantity":1,"unitPrice":-500.0,"itemType":"discount"}]}`

// The body the aMember plugin sends, with the {transactionId} placeholder.
const amemberBody = `{"amount":1999,"currency":"USD","email":"m@example.com","externalReference":"INV7QX2",
"returnUrl":"https://members.example/payment/payment-gateway-app/thanks?id=INV7QX2&tx={transactionId}",
"cancelUrl":"https://members.example/cancel?id=INV7QX2&tx={transactionId}",
"ipnUrl":"https://members.example/payment/payment-gateway-app/ipn",
"billingAddress":{"firstName":"Max","lastName":"Muster","address1":"Hauptstr. 5","city":"Berlin","postcode":"10115","country":"DE"},
"items":[{"description":"Gold membership","quantity":1,"unitPrice":1999,"itemType":"digital_service"}]}`

func TestPluginRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		for _, tc := range []struct{ name, path, body string }{
			{"woocommerce", "/v1/checkouts/" + e.a.Site.ID + "/create", wooBody},
			{"amember", "/v1/checkouts/" + e.a.Site.ID + "/create", amemberBody},
			{"api path", "/api/v1/checkouts/" + e.a.Site.ID + "/create", amemberBody},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do("POST", tc.path, e.a.Token, tc.body)
				expect(t, r, 200, "")
				for _, f := range []string{"id", "sessionPublicId", "shortCode", "paymentUrl", "status", "expiresAt", "amount", "currency"} {
					if r.body[f] == nil || r.body[f] == "" {
						t.Fatalf("answer lacks %s: %s", f, r.raw)
					}
				}
				if r.body["paymentUrl"] != "https://secure.example.com/checkout/"+r.body["shortCode"].(string) || r.body["status"] != "open" {
					t.Fatalf("answer %s", r.raw)
				}
				got := e.do("GET", "/api/v1/checkouts/"+r.body["id"].(string), e.a.Token, "")
				expect(t, got, 200, "")
				var want checkout.CreateRequest
				json.Unmarshal([]byte(tc.body), &want) //nolint:errcheck // constant
				if got.body["returnUrl"] != want.ReturnURL || got.body["cancelUrl"] != want.CancelURL || got.body["ipnUrl"] != want.IPNURL ||
					got.body["externalReference"] != string(want.ExternalReference) || got.body["mode"] != "test" {
					t.Fatalf("stored checkout differs: %s", got.raw)
				}
				items := got.body["items"].([]any)
				if len(items) != len(want.Items) {
					t.Fatalf("items %d", len(items))
				}
				var sum float64
				for _, it := range items {
					sum += it.(map[string]any)["amount"].(float64)
				}
				if sum != got.body["amount"].(float64) {
					t.Fatalf("items sum %v, amount %v", sum, got.body["amount"])
				}
			})
		}
	})
}

func TestAuthentication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		path := "/api/v1/checkouts/" + e.a.Site.ID + "/create"
		expect(t, e.do("POST", path, "", amemberBody), 401, "unauthorized")
		expect(t, e.do("POST", path, "sk_test_garbage", amemberBody), 401, "unauthorized")
		mode, id, secret, _ := auth.ParseToken(e.a.Token)
		wrong := "sk_" + string(mode) + "_" + id + "." + strings.Repeat("A", len(secret))
		expect(t, e.do("POST", path, wrong, amemberBody), 401, "unauthorized")
		// The right secret with the wrong mode prefix is not the key.
		expect(t, e.do("POST", path, "sk_live_"+id+"."+secret, amemberBody), 401, "unauthorized")

		// A key without the scope is refused with 403.
		readOnly, readToken := auth.NewKey(e.a.Organization.ID, "ro", checkout.ModeTest, []string{"checkout:read"}, store.TimeNow())
		storetest.Must(t, s.CreateAPIKey(ctx, readOnly), "create key")
		expect(t, e.do("POST", path, readToken, amemberBody), 403, "forbidden")
		expect(t, e.do("GET", "/api/v1/checkouts", readToken, ""), 200, "")

		// Another organization's key sees neither the site nor the checkout.
		expect(t, e.do("POST", path, e.b.Token, amemberBody), 404, "not_found")
		created := e.do("POST", path, e.a.Token, amemberBody)
		expect(t, created, 200, "")
		id2 := created.body["id"].(string)
		expect(t, e.do("GET", "/api/v1/checkouts/"+id2, e.b.Token, ""), 404, "not_found")
		expect(t, e.do("POST", "/api/v1/checkouts/"+id2+"/expire", e.b.Token, ""), 404, "not_found")
		list := e.do("GET", "/api/v1/checkouts", e.b.Token, "")
		if list.body["total"].(float64) != 0 {
			t.Fatalf("organization b lists a's checkouts: %s", list.raw)
		}

		// A live key makes live checkouts.
		live, liveToken := auth.NewKey(e.a.Organization.ID, "live", checkout.ModeLive, auth.DefaultScopes, store.TimeNow())
		storetest.Must(t, s.CreateAPIKey(ctx, live), "create live key")
		lc := e.do("POST", path, liveToken, amemberBody)
		expect(t, lc, 200, "")
		if got := e.do("GET", "/api/v1/checkouts/"+lc.body["id"].(string), liveToken, ""); got.body["mode"] != "live" {
			t.Fatalf("live key made %v checkout", got.body["mode"])
		}

		// Revoking takes effect on the next request.
		_, err := s.RevokeAPIKey(ctx, e.a.Organization.ID, live.ID)
		storetest.Must(t, err, "revoke")
		expect(t, e.do("POST", path, liveToken, amemberBody), 401, "unauthorized")
	})
}

func TestValidationWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		path := "/api/v1/checkouts/" + e.a.Site.ID + "/create"
		huge := `{"amount":100,"currency":"EUR","externalReference":"x","metadata":{"k":"` + strings.Repeat("v", 1<<20) + `"}}`
		for _, tc := range []struct {
			name, body string
			status     int
			code       string
		}{
			{"empty", ``, 400, "invalid_json"},
			{"malformed", `{"amount":`, 400, "invalid_json"},
			{"not an object", `[1,2]`, 400, "invalid_json"},
			{"wrong type", `{"amount":100,"currency":["EUR"],"externalReference":"x"}`, 400, "invalid_json"},
			{"trailing data", `{"amount":100,"currency":"EUR","externalReference":"x"} {}`, 400, "invalid_json"},
			{"too large", huge, 413, "payload_too_large"},
			{"mismatch", `{"amount":1000,"currency":"EUR","externalReference":"x","items":[{"name":"a","quantity":3,"unitPrice":333}]}`, 422, "amount_mismatch"},
			{"no reference", `{"amount":1000,"currency":"EUR"}`, 422, "validation_error"},
			{"bad currency", `{"amount":1000,"currency":"EURO","externalReference":"x"}`, 422, "validation_error"},
			{"float amount", `{"amount":10.5,"currency":"EUR","externalReference":"x"}`, 422, "validation_error"},
			{"over maximum", `{"amount":100000001,"currency":"EUR","externalReference":"x"}`, 422, "validation_error"},
			{"javascript url", `{"amount":100,"currency":"EUR","externalReference":"x","returnUrl":"javascript:alert(1)"}`, 422, "validation_error"},
			{"quantity", `{"amount":100,"currency":"EUR","externalReference":"x","items":[{"name":"a","quantity":10001,"unitPrice":1}]}`, 422, "validation_error"},
			{"amount not a number", `{"amount":"abc","currency":"EUR","externalReference":"x"}`, 400, "invalid_json"},
			{"amount boolean", `{"amount":true,"currency":"EUR","externalReference":"x"}`, 400, "invalid_json"},
			{"reference object", `{"amount":100,"currency":"EUR","externalReference":{"a":1}}`, 400, "invalid_json"},
			{"items not a list", `{"amount":100,"currency":"EUR","externalReference":"x","items":"many"}`, 400, "invalid_json"},
			{"null body", `null`, 422, "validation_error"},
			{"deep nesting", strings.Repeat(`{"metadata":`, 5000) + "1" + strings.Repeat("}", 5000), 400, "invalid_json"},
			{"amount as a decimal string", `{"amount":"49.00","currency":"EUR","externalReference":"x"}`, 400, "invalid_json"},
			{"amount as a whole string", `{"amount":"4900","currency":"EUR","externalReference":"x"}`, 400, "invalid_json"},
			{"unit price as a string", `{"amount":100,"currency":"EUR","externalReference":"x","items":[{"name":"a","unitPrice":"100"}]}`, 400, "invalid_json"},
			{"exponent", `{"amount":1e999999,"currency":"EUR","externalReference":"x"}`, 400, "invalid_json"},
			{"long number", `{"amount":1000000000000000000000000000000000000,"currency":"EUR","externalReference":"x"}`, 400, "invalid_json"},
			{"items past the limit", `{"amount":101,"currency":"EUR","externalReference":"x","items":[` +
				strings.TrimSuffix(strings.Repeat(`{"name":"a","unitPrice":1},`, 101), ",") + `]}`, 400, "invalid_json"},
			{"invalid utf-8", "{\"amount\":100,\"currency\":\"EUR\",\"externalReference\":\"\xff\xfe\"}", 400, "invalid_json"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do("POST", path, e.a.Token, tc.body)
				expect(t, r, tc.status, tc.code)
				if msg, _ := r.body["error"].(string); strings.Contains(msg, "checkout.") || strings.Contains(msg, "[]") || strings.Contains(msg, "json.Number") {
					t.Fatalf("the message names Go types: %q", msg)
				}
				if tc.name == "items not a list" && !strings.Contains(r.body["error"].(string), "items: must be an array of objects") {
					t.Fatalf("items message %q", r.body["error"])
				}
				if strings.HasPrefix(tc.name, "amount as") && (r.body["field"] != "amount" || !strings.Contains(r.body["error"].(string), "not a string")) {
					t.Fatalf("string amount answer %v", r.body)
				}
				if tc.code == "amount_mismatch" && (!strings.Contains(r.body["error"].(string), "sum of item amounts") ||
					!strings.Contains(r.body["error"].(string), "does not match total amount")) {
					t.Fatalf("plugins cannot recognise %q", r.body["error"])
				}
			})
		}
		if n := e.count(e.a.Organization.ID); n != 0 {
			t.Fatalf("%d checkouts written by refused requests", n)
		}
		expect(t, e.do("GET", "/api/v1/nothing-here", e.a.Token, ""), 404, "not_found")
		expect(t, e.do("GET", "/api/v1/checkouts/co_missing", e.a.Token, ""), 404, "not_found")
	})
}

func TestAmountUnitsCents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		cents := tenant.UnitsCents
		_, err := s.UpdateSite(ctx, e.a.Organization.ID, e.a.Site.ID, store.SiteSettings{AmountUnits: &cents})
		storetest.Must(t, err, "set cents")
		path := "/v1/checkouts/" + e.a.Site.ID + "/create"
		r := e.do("POST", path, e.a.Token, `{"amount":737600.0,"currency":"JPY","externalReference":"jp-1","items":[{"description":"Matcha","quantity":2,"unitPrice":368800.0}]}`)
		expect(t, r, 200, "")
		if r.body["amount"].(float64) != 7376 || r.body["currency"] != "JPY" {
			t.Fatalf("JPY 737600 cents became %s", r.raw)
		}
		r = e.do("POST", path, e.a.Token, `{"amount":1234,"currency":"KWD","externalReference":"kw-1"}`)
		expect(t, r, 200, "")
		if r.body["amount"].(float64) != 12340 {
			t.Fatalf("KWD 1234 cents became %s", r.raw)
		}
		expect(t, e.do("POST", path, e.a.Token, `{"amount":737650,"currency":"JPY","externalReference":"jp-2"}`), 422, "validation_error")
		// Another site of the default (minor) takes JPY as yen.
		r = e.do("POST", "/v1/checkouts/"+e.b.Site.ID+"/create", e.b.Token, `{"amount":7376,"currency":"JPY","externalReference":"jp-3"}`)
		expect(t, r, 200, "")
		if r.body["amount"].(float64) != 7376 {
			t.Fatalf("minor site: %s", r.raw)
		}
	})
}

func TestIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		path := "/api/v1/checkouts/" + e.a.Site.ID + "/create"
		first := e.do("POST", path, e.a.Token, amemberBody, "Idempotency-Key", "order-INV7QX2")
		expect(t, first, 200, "")
		again := e.do("POST", path, e.a.Token, amemberBody, "Idempotency-Key", "order-INV7QX2")
		expect(t, again, 200, "")
		if !bytes.Equal(first.raw, again.raw) || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay differs:\n%s\n%s", first.raw, again.raw)
		}
		other := strings.Replace(amemberBody, "1999", "2999", 2)
		expect(t, e.do("POST", path, e.a.Token, other, "Idempotency-Key", "order-INV7QX2"), 422, "idempotency_error")
		if n := e.count(e.a.Organization.ID); n != 1 {
			t.Fatalf("%d checkouts after replays", n)
		}
		// Another organization has its own keys.
		expect(t, e.do("POST", "/api/v1/checkouts/"+e.b.Site.ID+"/create", e.b.Token, amemberBody, "Idempotency-Key", "order-INV7QX2"), 200, "")

		// A refused request does not burn its key.
		bad := `{"amount":100,"currency":"EUR"}`
		expect(t, e.do("POST", path, e.a.Token, bad, "Idempotency-Key", "retry-me"), 422, "validation_error")
		expect(t, e.do("POST", path, e.a.Token, amemberBody, "Idempotency-Key", "retry-me"), 200, "")
		expect(t, e.do("POST", path, e.a.Token, amemberBody, "Idempotency-Key", strings.Repeat("k", 256)), 400, "invalid_request")

		// Many concurrent identical requests create exactly one checkout.
		const n = 24
		var wg sync.WaitGroup
		results := make(chan response, n)
		for range n {
			wg.Go(func() {
				results <- e.do("POST", path, e.a.Token, wooBody, "Idempotency-Key", "burst")
			})
		}
		wg.Wait()
		close(results)
		var ids = map[string]bool{}
		statuses := map[int]int{}
		for r := range results {
			statuses[r.status]++
			switch r.status {
			case 200:
				ids[r.body["id"].(string)] = true
			case 409:
				expect(t, r, 409, "idempotency_in_flight")
			default:
				t.Fatalf("concurrent request: %d %s", r.status, r.raw)
			}
		}
		if len(ids) != 1 {
			t.Fatalf("concurrent identical requests made %d checkouts (%v)", len(ids), statuses)
		}
		if got := e.count(e.a.Organization.ID); got != 3 {
			t.Fatalf("%d checkouts in organization a, want 3", got)
		}
	})
}

func TestListAndExpire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		path := "/api/v1/checkouts/" + e.a.Site.ID + "/create"
		var ids []string
		for i := range 5 {
			r := e.do("POST", path, e.a.Token, fmt.Sprintf(`{"amount":%d,"currency":"EUR","externalReference":"ref-%d"}`, 100+i, i%2))
			expect(t, r, 200, "")
			ids = append(ids, r.body["id"].(string))
			time.Sleep(2 * time.Millisecond)
		}
		list := e.do("GET", "/api/v1/checkouts?limit=2&page=1", e.a.Token, "")
		expect(t, list, 200, "")
		data := list.body["data"].([]any)
		if len(data) != 2 || list.body["total"].(float64) != 5 || list.body["hasMore"] != true || data[0].(map[string]any)["id"] != ids[4] {
			t.Fatalf("page 1: %s", list.raw)
		}
		last := e.do("GET", "/api/v1/checkouts?limit=2&page=3", e.a.Token, "")
		if len(last.body["data"].([]any)) != 1 || last.body["hasMore"] != false {
			t.Fatalf("page 3: %s", last.raw)
		}
		byRef := e.do("GET", "/api/v1/checkouts?externalReference=ref-0&siteId="+e.a.Site.ID, e.a.Token, "")
		if byRef.body["total"].(float64) != 3 {
			t.Fatalf("by reference: %s", byRef.raw)
		}
		for _, q := range []string{"limit=0", "limit=101", "page=x", "status=paid", "from=yesterday"} {
			expect(t, e.do("GET", "/api/v1/checkouts?"+q, e.a.Token, ""), 400, "invalid_request")
		}

		exp := e.do("POST", "/api/v1/checkouts/"+ids[0]+"/expire", e.a.Token, "")
		expect(t, exp, 200, "")
		if exp.body["status"] != "expired" || exp.body["closedAt"] == nil {
			t.Fatalf("expire: %s", exp.raw)
		}
		expect(t, e.do("POST", "/api/v1/checkouts/"+ids[0]+"/expire", e.a.Token, ""), 409, "checkout_not_open")
		expired := e.do("GET", "/api/v1/checkouts?status=expired", e.a.Token, "")
		if expired.body["total"].(float64) != 1 {
			t.Fatalf("status filter: %s", expired.raw)
		}
		evs, err := s.EventsFor(ctx, ids[0])
		storetest.Must(t, err, "events")
		if len(evs) != 1 || evs[0].Type != "checkout.expired" {
			t.Fatalf("events %+v", evs)
		}
		from := url(time.Now().Add(time.Hour))
		if r := e.do("GET", "/api/v1/checkouts?from="+from, e.a.Token, ""); r.body["total"].(float64) != 0 {
			t.Fatalf("from filter: %s", r.raw)
		}
	})
}

func url(t time.Time) string { return strings.ReplaceAll(t.UTC().Format(time.RFC3339), "+", "%2B") }

// A create whose transaction fails answers 500 and frees its Idempotency-Key,
// so the merchant's retry with the same key goes through.
func TestIdempotencyKeyFreedWhenStoreFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		db := s.Bun()
		fail := []string{"CREATE TRIGGER boom BEFORE INSERT ON checkouts BEGIN SELECT RAISE(ABORT, 'boom'); END"}
		undo := []string{"DROP TRIGGER boom"}
		if s.Dialect() == store.Postgres {
			fail = []string{"CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$ LANGUAGE plpgsql",
				"CREATE TRIGGER boom BEFORE INSERT ON checkouts FOR EACH ROW EXECUTE FUNCTION boom()"}
			undo = []string{"DROP TRIGGER boom ON checkouts", "DROP FUNCTION boom()"}
		}
		for _, q := range fail {
			_, err := db.ExecContext(ctx, q)
			storetest.Must(t, err, "%s", q)
		}
		path := "/api/v1/checkouts/" + e.a.Site.ID + "/create"
		expect(t, e.do("POST", path, e.a.Token, amemberBody, "Idempotency-Key", "k-fail"), 500, "internal_error")
		for _, q := range undo {
			_, err := db.ExecContext(ctx, q)
			storetest.Must(t, err, "%s", q)
		}
		r := e.do("POST", path, e.a.Token, amemberBody, "Idempotency-Key", "k-fail")
		expect(t, r, 200, "")
		if n := e.count(e.a.Organization.ID); n != 1 {
			t.Fatalf("%d checkouts", n)
		}
	})
}

// TestMethodNotAllowed: a known path asked with another method is 405 with
// Allow, an unknown path 404, both in the JSON error envelope, also under
// the /v1 alias.
func TestMethodNotAllowed(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	for _, tc := range []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"GET", "/api/v1/checkouts/" + e.a.Site.ID + "/create", 405, "method_not_allowed", "POST"},
		{"GET", "/v1/checkouts/" + e.a.Site.ID + "/create", 405, "method_not_allowed", "POST"},
		{"PUT", "/api/v1/sites/" + e.a.Site.ID, 405, "method_not_allowed", "GET, HEAD, PATCH, DELETE"},
		{"PUT", "/api/v1/transactions/txn_x/refund", 405, "method_not_allowed", "POST"},
		{"POST", "/api/v1/organizations/settings/mail", 405, "method_not_allowed", "GET, HEAD, PUT"},
		{"GET", "/api/v1/nothing-here", 404, "not_found", ""},
		{"POST", "/api/v2/checkouts", 404, "not_found", ""},
	} {
		r := e.do(tc.method, tc.path, e.a.Token, "")
		expect(t, r, tc.status, tc.code)
		if got := r.header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q; want %q", tc.method, tc.path, got, tc.allow)
		}
		if r.body["requestId"] == nil || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s: not the JSON envelope: %s %s", tc.method, tc.path, r.header.Get("Content-Type"), r.raw)
		}
	}
}

func TestSiteTimeZone(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	// The organization's sites, and only its own, without their secrets.
	r := e.do("GET", "/api/v1/sites", e.a.Token, "")
	expect(t, r, 200, "")
	if sites := r.body["data"].([]any); len(sites) != 1 || sites[0].(map[string]any)["id"] != e.a.Site.ID || strings.Contains(string(r.raw), "whsec_") {
		t.Fatalf("sites %s", r.raw)
	}
	path := "/api/v1/sites/" + e.a.Site.ID
	for _, bad := range []string{`"Mars/Olympus"`, `"Local"`, `"../../etc/passwd"`} {
		if r := e.do("PATCH", path, e.a.Token, `{"timeZone":`+bad+`}`); r.status != 422 || r.body["field"] != "timeZone" {
			t.Errorf("%s: %d %s", bad, r.status, r.raw)
		}
	}
	r = e.do("PATCH", path, e.a.Token, `{"timeZone":"Asia/Tokyo","defaultLanguage":"ja","requireEmail":true}`)
	if expect(t, r, 200, ""); r.body["timeZone"] != "Asia/Tokyo" || r.body["defaultLanguage"] != "ja" || r.body["requireEmail"] != true {
		t.Fatalf("site %s", r.raw)
	}
	if r := e.do("PATCH", path, e.a.Token, `{"defaultLanguage":"tlh"}`); r.status != 422 || r.body["field"] != "defaultLanguage" {
		t.Errorf("an unknown language: %d %s", r.status, r.raw)
	}
}
