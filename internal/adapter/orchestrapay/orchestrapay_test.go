package orchestrapay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/apidoc"
	"github.com/pgw/pgw/internal/apidoc/apidoctest"
	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

var ctx = context.Background()

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

type env struct {
	t   *testing.T
	s   *store.Store
	url string
	r   *store.BootstrapResult
}

// newEnv runs admin-backend with one organization whose site's slug is the
// seed example's tenant.
func newEnv(t *testing.T, s *store.Store) *env {
	cfg := &config.Config{}
	cfg.URLs.MainFrontend = "https://secure.example.com"
	cfg.Checkout.MaxAmount = 1e12
	srv := httptest.NewServer(apidoctest.New(t, apidoc.MustAdmin(), "/api/", "/checkout-intents", "/payment-intents", "/refunds").Wrap(app.Admin(cfg, s, slog.New(slog.DiscardHandler)).Handler))
	t.Cleanup(srv.Close)
	r, err := store.Bootstrap(ctx, s, store.BootstrapInput{Org: "Merchant", Site: "your-tenant-id"})
	storetest.Must(t, err, "bootstrap")
	return &env{t: t, s: s, url: srv.URL, r: r}
}

func (e *env) call(method, path, body string) (int, map[string]any, string) {
	e.t.Helper()
	return e.callAs(e.r.Token, method, path, body)
}

func (e *env) callAs(token, method, path, body string) (int, map[string]any, string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	storetest.Must(e.t, err, "%s %s", method, path)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(raw, &m) //nolint:errcheck // some answers are not objects
	return resp.StatusCode, m, string(raw)
}

// The seed's own request, as its curl example sends it.
const seedRequest = `{
"amount": 1000,
"currency": "USD",
"payment_method": "card",
"customer": {
"email": "customer@example.com"
},
"tenant": "your-tenant-id",
"checkout_intent_idempotency_key": "550e8400-e29b-41d4-a716-446655440000",
"line_items": [
{
"name": "Product Name",
"price": 1000,
"quantity": 1,
"image": "https://example.com/image.jpg",
"category": "Electronics",
"slug": "product-slug",
"url": "https://example.com/product"
}
]
}`

func TestSeedCreateAndIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		status, m, raw := e.call("POST", "/checkout-intents", seedRequest)
		if status != 201 {
			t.Fatalf("create: %d %s", status, raw)
		}
		// The seed's answer: checkout_intent (UUID), checkout_intent_secret
		// (integer), resource_created, gateways[] {id, name, type, enabled}.
		uuid, _ := m["checkout_intent"].(string)
		secret, isNum := m["checkout_intent_secret"].(float64)
		gws, _ := m["gateways"].([]any)
		if !uuidRE.MatchString(uuid) || !isNum || secret != float64(int64(secret)) || m["resource_created"] != true || len(gws) == 0 {
			t.Fatalf("answer %s", raw)
		}
		gw := gws[0].(map[string]any)
		if gw["id"] != e.r.Provider.ID || gw["name"] == "" || gw["type"] != "card" || gw["enabled"] != true {
			t.Fatalf("gateway %v", gw)
		}
		if !strings.HasPrefix(m["payment_url"].(string), "https://secure.example.com/checkout/") {
			t.Fatalf("payment_url %v", m["payment_url"])
		}
		status, again, _ := e.call("POST", "/checkout-intents", seedRequest)
		if status != 200 || again["checkout_intent"] != uuid || again["checkout_intent_secret"] != secret || again["resource_created"] != false {
			t.Fatalf("repeat: %d %v", status, again)
		}

		// Many concurrent identical requests: one intent.
		body := strings.Replace(seedRequest, "550e8400-e29b-41d4-a716-446655440000", "burst-key", 1)
		var wg sync.WaitGroup
		var mu sync.Mutex
		uuids, created := map[string]bool{}, 0
		for range 16 {
			wg.Go(func() {
				status, m, raw := e.call("POST", "/checkout-intents", body)
				mu.Lock()
				defer mu.Unlock()
				if status != 200 && status != 201 {
					t.Errorf("concurrent create: %d %s", status, raw)
					return
				}
				if status == 201 {
					created++
				}
				uuids[m["checkout_intent"].(string)] = true
			})
		}
		wg.Wait()
		if len(uuids) != 1 || created != 1 {
			t.Fatalf("%d intents, %d created", len(uuids), created)
		}
		_, total, err := s.ListCheckouts(ctx, store.CheckoutFilter{OrganizationID: e.r.Organization.ID, Page: 1, Limit: 1})
		storetest.Must(t, err, "count")
		if total != 2 {
			t.Fatalf("%d checkouts, want 2", total)
		}
	})
}

func TestCreateValidationAndTenant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		for _, tc := range []struct {
			body   string
			status int
		}{
			{`{"currency":"EGP"}`, 400},
			{`{"amount":-1,"currency":"EGP"}`, 400},
			{`{"amount":10.5,"currency":"EGP"}`, 400},
			{`{"amount":100,"currency":"EGYPT"}`, 400},
			{`{"amount":100,"currency":"EGP","final_success_url":"javascript:x"}`, 400},
			{`{"amount":100,"currency":"EGP","webhook_urls":["not a url"]}`, 400},
			{`{"amount":100,"currency":"EGP","payment_intent_timeout_seconds":10}`, 400},
			{`{"amount":100,"currency":"EGP","payload":[1,2]}`, 400},
			{`{"amount":100,"currency":"EGP","line_items":[{"price":100}]}`, 400},
			{`{"amount":100,"currency":"EGP","tenant":"someone-else"}`, 422},
			{`not json`, 400},
		} {
			status, m, raw := e.call("POST", "/checkout-intents", tc.body)
			if status != tc.status || m["statusCode"] != float64(tc.status) || m["message"] == nil || m["error"] == "" {
				t.Fatalf("%s: %d %s", tc.body, status, raw)
			}
		}
		// Zero is allowed; without tenant the only site is used.
		if status, _, raw := e.call("POST", "/checkout-intents", `{"amount":0,"currency":"EGP"}`); status != 201 {
			t.Fatalf("zero amount: %d %s", status, raw)
		}
		_, err := store.Bootstrap(ctx, s, store.BootstrapInput{Org: "other", Site: "x"})
		storetest.Must(t, err, "other org")
		site2 := e.r.Site
		site2.ID, site2.Slug = "site_second", "second"
		storetest.Must(t, s.CreateSite(ctx, site2), "second site")
		if status, _, raw := e.call("POST", "/checkout-intents", `{"amount":100,"currency":"EGP"}`); status != 422 {
			t.Fatalf("no tenant with two sites: %d %s", status, raw)
		}
		if status, _, raw := e.call("POST", "/checkout-intents", `{"amount":100,"currency":"EGP","tenant":"second"}`); status != 201 {
			t.Fatalf("tenant by slug: %d %s", status, raw)
		}
		if status, _, raw := e.call("POST", "/checkout-intents", `{"amount":100,"currency":"EGP","tenant":"site_second"}`); status != 201 {
			t.Fatalf("tenant by id: %d %s", status, raw)
		}
	})
}

// seedItemKeys are the fields of the seed's list example.
var seedItemKeys = []string{"amount", "checkout_intent", "checkout_intent_idempotency_key", "checkout_intent_secret", "created_at",
	"currency", "feature_flag", "final_failure_url", "final_success_url", "human_friendly_payment_intent_secret", "line_items",
	"locale", "payment_intent_timeout_seconds", "webhook_urls"}

func TestListFiltersAndEnvelope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		for i := range 12 {
			cur := []string{"EGP", "USD", "EUR"}[i%3]
			body := fmt.Sprintf(`{"amount":%d,"currency":"%s","checkout_intent_idempotency_key":"order_%d","human_friendly_payment_intent_secret":"#%d",
				"final_success_url":"https://example.com/success","webhook_urls":["https://example.com/webhook"],"webhook_secret":"shh",
				"feature_flag":"filter6mo","lg":"en","payload":{"internal":"secret-payload"},
				"line_items":[{"name":"Product Name","quantity":1,"price":%d,"category":"Financial Services"}]}`, 1000*(i+1), cur, i, 1940284+i, 1000*(i+1))
			if i == 11 {
				body = strings.Replace(body, `"checkout_intent_idempotency_key":"order_11",`, "", 1)
			}
			if status, _, raw := e.call("POST", "/checkout-intents", body); status != 201 {
				t.Fatalf("create %d: %d %s", i, status, raw)
			}
			time.Sleep(2 * time.Millisecond)
		}
		list := func(q string) (int, map[string]any, string) {
			return e.call("GET", "/checkout-intents?"+q, "")
		}
		// The seed's query: EGP above 3000 in a date range that excludes now.
		status, m, raw := list("filter.currency=$eq:EGP&filter.amount=$gt:3000&filter.created_at=$btw:2023-07-01T00:00:00,2023-07-31T23:59:59.59")
		if status != 200 || len(m["data"].([]any)) != 0 || m["meta"].(map[string]any)["totalItems"] != float64(0) {
			t.Fatalf("seed query: %d %s", status, raw)
		}
		today := time.Now().UTC()
		from, to := today.Add(-time.Hour).Format("2006-01-02T15:04:05"), today.Add(time.Hour).Format("2006-01-02T15:04:05")
		status, m, raw = list("filter.currency=$eq:EGP&filter.amount=$gt:3000&filter.created_at=$btw:" + from + "," + to)
		data := m["data"].([]any)
		if status != 200 || len(data) != 3 { // EGP: 1000, 4000, 7000, 10000 -> three above 3000
			t.Fatalf("seed query today: %d %s", status, raw)
		}
		item := data[0].(map[string]any)
		var keys []string
		for k := range item {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if fmt.Sprint(keys) != fmt.Sprint(seedItemKeys) || strings.Contains(raw, "secret-payload") || strings.Contains(raw, "shh") ||
			strings.Contains(raw, "updated_at") || strings.Contains(raw, "deleted_at") || strings.Contains(raw, "payment_id") {
			t.Fatalf("item fields %v in %s", keys, raw)
		}
		if item["amount"] != float64(10000) || item["locale"] != "en" || item["feature_flag"] != "filter6mo" ||
			item["line_items"].([]any)[0].(map[string]any)["category"] != "Financial Services" {
			t.Fatalf("item %v", item)
		}

		count := func(q string) int {
			t.Helper()
			status, m, raw := list(q)
			if status != 200 {
				t.Fatalf("%s: %d %s", q, status, raw)
			}
			return int(m["meta"].(map[string]any)["totalItems"].(float64))
		}
		for q, want := range map[string]int{
			"filter.currency=EUR":                                   4,
			"filter.currency=$eq:eur":                               4,
			"filter.currency=$not:EUR":                              8,
			"filter.currency=$in:EGP,USD":                           8,
			"filter.currency=$not:$in:EGP,USD":                      4,
			"filter.amount=$gt:6000":                                6,
			"filter.amount=$gte:6000":                               7,
			"filter.amount=$lt:3000":                                2,
			"filter.amount=$lte:3000":                               3,
			"filter.amount=$btw:2000,4000":                          3,
			"filter.checkout_intent_secret=$eq:1":                   1,
			"filter.checkout_intent_idempotency_key=$ilike:ORDER_1": 2, // order_1, order_10
			"filter.checkout_intent_idempotency_key=$sw:order_1":    2,
			"filter.checkout_intent_idempotency_key=$contains:er_5": 1,
			"filter.checkout_intent_idempotency_key=$null":          1,
			"filter.checkout_intent_idempotency_key=$not:$null":     11,
			"filter.updated_at=$gte:" + from:                        12,
			"filter.amount=$gt:1000&filter.amount=$lt:5000":         3,
		} {
			if got := count(q); got != want {
				t.Errorf("%s: %d, want %d", q, got, want)
			}
		}
		// A single record by secret; and by UUID.
		_, m, _ = list("filter.checkout_intent_secret=$eq:5")
		uuid := m["data"].([]any)[0].(map[string]any)["checkout_intent"].(string)
		if count("filter.checkout_intent="+uuid) != 1 {
			t.Error("filter by checkout_intent")
		}

		// SQL-hostile values are only ever values.
		for _, q := range []string{
			"filter.checkout_intent_idempotency_key=' OR '1'='1",
			"filter.checkout_intent_idempotency_key=$ilike:%' OR 1=1 --",
			"filter.checkout_intent_idempotency_key=$sw:_",
			"filter.currency=$in:EGP') OR ('1'='1",
			"filter.checkout_intent=x\"; DROP TABLE checkouts; --",
		} {
			if got := count(encode(q)); got != 0 {
				t.Errorf("%s matched %d", q, got)
			}
		}
		if status, _, _ := list("sortBy=" + url.QueryEscape("amount;DROP TABLE orchestrapay_intents:ASC")); status != 200 {
			t.Fatalf("hostile sortBy: %d", status)
		}
		if count("") != 12 {
			t.Fatal("rows lost")
		}
		for _, q := range []string{"filter.amount=abc", "filter.amount=$like:1", "filter.payload=x", "filter.created_at=$gt:yesterday", "limit=ten"} {
			status, m, raw := list(q)
			if status != 400 || m["statusCode"] != float64(400) || !strings.Contains(fmt.Sprint(m["message"]), "filter") && !strings.Contains(raw, "limit") {
				t.Errorf("%s: %d %s", q, status, raw)
			}
		}

		// The envelope: meta and links as nestjs-paginate writes them.
		_, m, raw = list("limit=5&page=2&sortBy=amount:ASC")
		meta, links := m["meta"].(map[string]any), m["links"].(map[string]any)
		if meta["itemsPerPage"] != float64(5) || meta["totalItems"] != float64(12) || meta["currentPage"] != float64(2) ||
			meta["totalPages"] != float64(3) || fmt.Sprint(meta["sortBy"]) != "[[amount ASC]]" || meta["filter"] != nil {
			t.Fatalf("meta %s", raw)
		}
		page := m["data"].([]any)
		if page[0].(map[string]any)["amount"] != float64(6000) {
			t.Fatalf("page 2 by amount starts at %v", page[0])
		}
		base := e.url + "/checkout-intents?page=%d&limit=5&sortBy=amount:ASC"
		for k, want := range map[string]string{"first": fmt.Sprintf(base, 1), "previous": fmt.Sprintf(base, 1), "current": fmt.Sprintf(base, 2),
			"next": fmt.Sprintf(base, 3), "last": fmt.Sprintf(base, 3)} {
			if links[k] != want {
				t.Errorf("links.%s = %v, want %s", k, links[k], want)
			}
		}
		_, m, raw = list("limit=5")
		if l := m["links"].(map[string]any); l["first"] != nil || l["previous"] != nil || l["next"] == nil || strings.Contains(raw, "null") {
			t.Fatalf("first page links %s", raw)
		}
		_, m, _ = list("limit=2000")
		if m["meta"].(map[string]any)["itemsPerPage"] != float64(1000) {
			t.Fatal("limit not capped at 1000")
		}
		_, m, _ = list("")
		if m["meta"].(map[string]any)["itemsPerPage"] != float64(10) {
			t.Fatal("default limit is not 10")
		}
	})
}

func encode(q string) string {
	k, v, _ := strings.Cut(q, "=")
	return k + "=" + url.QueryEscape(v)
}

// A full flow: intent, payment intent, payment, webhook with the secret,
// refunds with their error codes, and a timeout.
func TestPaymentIntentsRefundsWebhooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		var mu sync.Mutex
		var hooks []map[string]any
		var secrets []string
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var m map[string]any
			json.NewDecoder(r.Body).Decode(&m) //nolint:errcheck // checked below
			mu.Lock()
			hooks = append(hooks, m)
			secrets = append(secrets, r.Header.Get("Orchestrapay-Webhook-Secret"))
			mu.Unlock()
			w.WriteHeader(http.StatusOK)
		}))
		defer receiver.Close()
		startWorker(t, s)

		status, ci, raw := e.call("POST", "/checkout-intents", `{"amount":5000,"currency":"EGP","human_friendly_payment_intent_secret":"#1940284",
			"final_success_url":"https://shop.example/ok","final_failure_url":"https://shop.example/fail",
			"webhook_urls":["`+receiver.URL+`/a","`+receiver.URL+`/b"],"webhook_secret":"top-secret","payment_intent_timeout_seconds":600}`)
		if status != 201 {
			t.Fatalf("intent: %s", raw)
		}
		if st, m, _ := e.call("POST", "/payment-intents", `{"gateway":"paystack","checkout_intent":"`+ci["checkout_intent"].(string)+`"}`); st != 400 || m["code"] != "UNKNOWN_GATEWAY" {
			t.Fatalf("unknown gateway: %d %v", st, m)
		}
		if st, m, _ := e.call("POST", "/payment-intents", `{"gateway":"x","checkout_intent":"00000000-0000-4000-8000-000000000000"}`); st != 404 {
			t.Fatalf("unknown intent: %d %v", st, m)
		}
		gw := ci["gateways"].([]any)[0].(map[string]any)
		status, pi, raw := e.call("POST", "/payment-intents", `{"gateway":"`+gw["name"].(string)+`","checkout_intent":"`+ci["checkout_intent"].(string)+`"}`)
		if status != 201 || !uuidRE.MatchString(pi["uuid"].(string)) || pi["status"] != "pending" || pi["id"] != float64(1) || pi["payment_url"] != ci["payment_url"] {
			t.Fatalf("payment intent: %d %s", status, raw)
		}
		c := checkoutOf(t, e, ci)
		if d := time.Until(c.ExpiresAt); d < 590*time.Second || d > 610*time.Second {
			t.Fatalf("the timeout does not run from the payment intent: expires in %s", d)
		}
		if c.Reference() != "#1940284" || c.ReturnURL != "https://shop.example/ok" || c.CancelURL != "https://shop.example/fail" {
			t.Fatalf("mapping: %q %q %q", c.Reference(), c.ReturnURL, c.CancelURL)
		}
		// Refund before success.
		if st, m, _ := e.call("POST", "/refunds", `{"payment_intent_secret":1,"amount":100,"currency":"EGP"}`); st != 400 || m["code"] != "REFUND_TX_MUST_BE_SUCCESSFUL" {
			t.Fatalf("refund of a pending payment: %d %v", st, m)
		}
		res, err := payment.New(s).Pay(ctx, c, payment.Attempt{ProviderID: e.r.Provider.ID, CardNumber: "4242424242424242", ExpMonth: 1, ExpYear: 2035, CVC: "123", CardName: "A"})
		storetest.Must(t, err, "pay")
		if res.RedirectURL != "https://shop.example/ok" {
			t.Fatalf("buyer lands on %q", res.RedirectURL)
		}
		waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(hooks) == 2 })
		mu.Lock()
		for i, h := range hooks {
			if secrets[i] != "top-secret" || h["status"] != "success" || h["sub_status"] != "success" || h["uuid"] != pi["uuid"] ||
				h["id"] != float64(1) || h["amount"] != float64(5000) || h["currency"] != "EGP" || h["webhook_type"] != "payment" ||
				h["preflight_id"] != ci["checkout_intent_secret"] || !uuidRE.MatchString(fmt.Sprint(h["idempotency_key"])) {
				t.Fatalf("webhook %v with secret %q", h, secrets[i])
			}
		}
		mu.Unlock()

		for _, tc := range []struct {
			body, code string
			status     int
		}{
			{`{"payment_intent_secret":99,"amount":100,"currency":"EGP"}`, "PAYMENT_INTENT_NOT_FOUND", 404},
			{`{"payment_intent_secret":1,"amount":100,"currency":"USD"}`, "REFUND_CCY_MISMATCH", 400},
			{`{"payment_intent_secret":1,"amount":5001,"currency":"EGP"}`, "REFUND_RQST_AMT_GREATER_THAN_TX_AMT", 400},
			{`{"payment_intent_secret":"x","amount":1,"currency":"EGP"}`, "invalid_json", 400},
		} {
			if st, m, raw := e.call("POST", "/refunds", tc.body); st != tc.status || m["code"] != tc.code {
				t.Fatalf("%s: %d %s", tc.body, st, raw)
			}
		}
		refundBody := `{"payment_intent_secret":1,"amount":2000,"currency":"EGP","checkout_intent_idempotency_key":"rf-1","webhook_urls":["` + receiver.URL + `/r"],"webhook_secret":"refund-secret"}`
		status, rf, raw := e.call("POST", "/refunds", refundBody)
		if status != 201 || rf["status"] != "success" || rf["amount"] != float64(2000) || rf["payment_intent_secret"] != float64(1) {
			t.Fatalf("refund: %d %s", status, raw)
		}
		if st, again, _ := e.call("POST", "/refunds", refundBody); st != 200 || again["uuid"] != rf["uuid"] {
			t.Fatalf("repeated refund: %d %v", st, again)
		}
		if st, m, _ := e.call("POST", "/refunds", `{"payment_intent_secret":1,"amount":3001,"currency":"EGP"}`); st != 400 || m["code"] != "REFUND_RQST_AMT_GREATER_THAN_TX_AMT" {
			t.Fatalf("refund beyond the rest: %d %v", st, m)
		}
		if st, _, raw := e.call("POST", "/refunds", `{"payment_intent_secret":1,"amount":3000,"currency":"EGP"}`); st != 201 {
			t.Fatalf("refund of the rest: %s", raw)
		}
		waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(hooks) == 3 })
		mu.Lock()
		if h := hooks[2]; secrets[2] != "refund-secret" || h["webhook_type"] != "refund" || h["status"] != "success" || h["transaction_id"] != float64(1) {
			t.Fatalf("refund webhook %v %q", h, secrets[2])
		}
		mu.Unlock()

		// A payment intent that times out is canceled, with a webhook, and the
		// buyer is sent to final_failure_url.
		status, ci2, _ := e.call("POST", "/payment-intents", `{"gateway":"`+gw["id"].(string)+`","amount":700,"currency":"EGP","final_failure_url":"https://shop.example/fail2","webhook_urls":["`+receiver.URL+`/t"],"payment_intent_timeout_seconds":300}`)
		if status != 201 {
			t.Fatalf("inline payment intent: %d %v", status, ci2)
		}
		var co checkout.Checkout
		storetest.Must(t, s.Bun().NewSelect().Model(&co).Where("source_ref = ?", ci2["checkout_intent"]).Scan(ctx), "inline checkout")
		_, err = s.Bun().NewUpdate().Table("checkouts").Set("expires_at = ?", store.TimeNow().Add(-time.Second)).Where("id = ?", co.ID).Exec(ctx)
		storetest.Must(t, err, "age")
		expired, err := s.ExpireDue(ctx, 10)
		storetest.Must(t, err, "sweep")
		if len(expired) != 1 {
			t.Fatalf("expired %v", expired)
		}
		waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(hooks) == 4 })
		mu.Lock()
		if h := hooks[3]; h["status"] != "canceled" || h["sub_status"] != "canceled_timeout_e2e" || h["uuid"] != ci2["uuid"] {
			t.Fatalf("timeout webhook %v", h)
		}
		mu.Unlock()
	})
}

func checkoutOf(t *testing.T, e *env, ci map[string]any) *checkout.Checkout {
	t.Helper()
	var c checkout.Checkout
	storetest.Must(t, e.s.Bun().NewSelect().Model(&c).Where("source_ref = ?", ci["checkout_intent"]).Scan(ctx), "checkout of intent")
	full, err := e.s.GetCheckout(ctx, c.OrganizationID, c.ID)
	storetest.Must(t, err, "checkout")
	return full
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
