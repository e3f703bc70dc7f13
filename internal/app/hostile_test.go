package app_test

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

	"github.com/pgw/pgw/internal/adapter/intandem"
	"github.com/pgw/pgw/internal/adapter/intandem/intandemtest"
	"github.com/pgw/pgw/internal/apidoc"
	"github.com/pgw/pgw/internal/apidoc/apidoctest"
	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// tables are every table whose rows a refused request must leave alone
// (rate counters count attempts by design).
var tables = []string{"organizations", "users", "memberships", "sites", "providers", "api_keys", "checkouts", "line_items",
	"transactions", "idempotency_keys", "outbox_events", "outbox_deliveries", "delivery_attempts", "webhook_endpoints",
	"provider_events", "refunds", "counters", "orchestrapay_intents", "orchestrapay_payments", "orchestrapay_refunds",
	"intandem_connections", "intandem_tokens", "user_sessions", "intandem_charge_keys", "disputes", "customer_risk_holds", "tax_settings", "tax_rates", "transaction_taxes", "tax_records"}

func counts(t *testing.T, s *store.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range tables {
		n, err := s.Bun().NewSelect().Table(tb).Count(context.Background())
		storetest.Must(t, err, "count %s", tb)
		out[tb] = int(n)
	}
	return out
}

// hostile is one malformed request to one of the servers.
type hostile struct {
	server, method, path, body string
	headers                    []string
}

// Every surface's malformed inputs, on both databases: never a 5xx, and
// nothing written.
func TestHostileInputsWriteNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		front := httptest.NewUnstartedServer(nil)
		front.Start()
		t.Cleanup(front.Close)
		cfg := config.Default()
		cfg.URLs.MainFrontend = front.URL
		cfg.Notify.AllowPrivateTargets = true
		log := slog.New(slog.DiscardHandler)
		front.Config.Handler = app.Frontend(cfg, s, log).Handler
		admin := httptest.NewServer(apidoctest.New(t, apidoc.MustAdmin(), "/api/", "/v1/", "/checkout-intents", "/payment-intents", "/refunds").Wrap(app.Admin(cfg, s, log).Handler))
		t.Cleanup(admin.Close)
		runtime := httptest.NewServer(apidoctest.New(t, apidoc.MustRuntime(), "/api/", "/hooks/").Wrap(app.Runtime(cfg, s, log).Handler))
		t.Cleanup(runtime.Close)
		servers := map[string]string{"admin": admin.URL, "runtime": runtime.URL, "front": front.URL}

		r, err := store.Bootstrap(ctx, s, store.BootstrapInput{Org: "Hostile", Site: "Target"})
		storetest.Must(t, err, "bootstrap")
		fake := intandemtest.New(t, "biz-token")
		storetest.Must(t, intandem.NewData(s).SaveConnection(ctx, &intandem.Connection{SiteID: r.Site.ID, OrganizationID: r.Organization.ID,
			APIBase: fake.URL, BusinessUID: "biz-1", Token: "biz-token", FrameOrigins: "https://app.vcita.com", AppName: "pgw",
			Mode: checkout.ModeTest, CreatedAt: store.TimeNow(), UpdatedAt: store.TimeNow()}), "intandem")
		req, _ := http.NewRequest("POST", admin.URL+"/api/v1/checkouts/"+r.Site.ID+"/create",
			strings.NewReader(`{"amount":1000,"currency":"EUR","externalReference":"target"}`))
		req.Header.Set("Authorization", "Bearer "+r.Token)
		resp, err := http.DefaultClient.Do(req)
		storetest.Must(t, err, "create")
		var co struct{ ID, ShortCode, SessionPublicID string }
		json.NewDecoder(resp.Body).Decode(&co) //nolint:errcheck // checked below
		resp.Body.Close()
		if co.ShortCode == "" {
			t.Fatal("no checkout")
		}
		auth := []string{"Authorization", "Bearer " + r.Token}
		form := []string{"Content-Type", "application/x-www-form-urlencoded", "Origin", front.URL, "Sec-Fetch-Site", "same-origin"}
		fromPage := []string{"Origin", front.URL}
		create := "/api/v1/checkouts/" + r.Site.ID + "/create"
		bigItems := `{"amount":1000,"currency":"USD","line_items":[` + strings.Repeat(`{"name":"x","price":"1e999999","quantity":"1e999999"},`, 18000) + `{}]}`
		pay := func(card string) string {
			return `{"sessionPublicId":"` + co.SessionPublicID + `","providerId":"` + r.Provider.ID + `","card":` + card + `}`
		}
		cases := []hostile{
			// Admin API.
			{"admin", "GET", "/api/v1/checkouts/%00", "", auth},
			{"admin", "GET", "/api/v1/checkouts/%ff%fe", "", auth},
			{"admin", "GET", "/api/v1/checkouts?externalReference=%00", "", auth},
			{"admin", "GET", "/api/v1/checkouts?status=%ff&page=-1&limit=99999999999999999999", "", auth},
			{"admin", "GET", "/api/v1/checkouts?from=yesterday", "", auth},
			{"admin", "POST", create, `{"amount":"49.00","currency":"EUR","externalReference":"x"}`, auth},
			{"admin", "POST", create, `{"amount":1e999999,"currency":"EUR","externalReference":"x"}`, auth},
			{"admin", "POST", create, `{"amount":100,"currency":"EUR","externalReference":"a\u0000b"}`, auth},
			{"admin", "POST", create, "{\"amount\":100,\"currency\":\"EUR\",\"externalReference\":\"\xff\"}", auth},
			{"admin", "POST", create, `{"amount":100,"currency":"EUR","externalReference":"x","metadata":{"k\u0000":"v"}}`, auth},
			{"admin", "POST", create, `{"amount":100,"currency":"EUR","externalReference":"x","billingAddress":{"country":"ZZ"}}`, auth},
			{"admin", "POST", create, strings.Repeat(`[`, 100000), auth},
			{"admin", "POST", create, `{"amount":100,"currency":"EUR","externalReference":"x","items":"many"}`, auth},
			{"admin", "POST", create, `{"amount":100,"currency":"EUR","externalReference":"x"}`, []string{"Authorization", "Bearer sk_test_\xff\xfe.\xff"}},
			{"admin", "POST", "/api/v1/checkouts/%00/expire", "", auth},
			{"admin", "PUT", "/api/v1/sites/" + r.Site.ID + "/intandem", `{"businessUid":"b","accessToken":"t","frameOrigins":[` +
				strings.TrimSuffix(strings.Repeat(`"https://a.example",`, 11), ",") + `]}`, auth},
			{"admin", "POST", "/api/v1/checkouts/" + co.ID + "/cancel", `{"x":"\u0000"}`, append([]string{"Idempotency-Key", "k\xff"}, auth...)},
			{"admin", "POST", "/api/v1/transactions/%00/refund", `{"amount":1}`, auth},
			{"admin", "POST", "/api/v1/transactions/txn_nope/refund", `{"amount":"5.00"}`, auth},
			{"admin", "GET", "/api/v1/deliveries?status=%00", "", auth},
			{"admin", "GET", "/checkout-intents?filter.currency=%00", "", auth},
			{"admin", "GET", "/checkout-intents?filter.currency=$eq:%ff&sortBy=%00:ASC", "", auth},
			{"admin", "POST", "/checkout-intents", bigItems, auth},
			{"admin", "POST", "/checkout-intents", `{"amount":1000,"currency":"USD","tenant":"\u0000"}`, auth},
			{"admin", "POST", "/payment-intents", `{"gateway":"paystack","amount":1000,"currency":"USD"}`, auth},
			{"admin", "POST", "/payment-intents", `{"gateway":"x","checkout_intent":"%00"}`, auth},
			{"admin", "POST", "/refunds", `{"payment_intent_secret":1e999999,"amount":"1"}`, auth},
			{"admin", "POST", "/dashboard/signin", "email=%00&password=%ff", form},
			{"admin", "GET", "/dashboard/checkouts?q=%00", "", nil},
			// Runtime API and hooks.
			{"runtime", "GET", "/api/v1/transactions/%00/status", "", fromPage},
			{"runtime", "GET", "/api/v1/checkouts/%00", "", fromPage},
			{"runtime", "POST", "/api/v1/transactions/create", pay(`{"number":"4242424242424242","expMonth":12,"expYear":"1e999999","cvc":"123","name":"A"}`), fromPage},
			{"runtime", "POST", "/api/v1/transactions/create", pay(`{"number":"4242424242424242","expMonth":12,"expYear":2034,"cvc":"123","name":"A\u0000"}`), fromPage},
			{"runtime", "POST", "/api/v1/transactions/create", pay(`{"number":"4242424242424242","expMonth":12,"expYear":2034,"cvc":"123","name":"A"},"billingAddress":{"city":"` + strings.Repeat("x", 60000) + `"}`), fromPage},
			{"runtime", "POST", "/api/v1/transactions/create", `{"sessionPublicId":"\u0000"}`, fromPage},
			{"runtime", "POST", "/hooks/stripe/%00", `{}`, nil},
			{"runtime", "POST", "/hooks/stripe/" + r.Provider.ID, `not json`, []string{"Stripe-Signature", "t=1,v1=00"}},
			// Hosted pages and inTandem.
			{"front", "GET", "/checkout/%00", "", nil},
			{"front", "GET", "/checkout/" + co.ShortCode + "?lg=%ff", "", nil},
			{"front", "POST", "/checkout/" + co.ShortCode + "/pay", "number=4242424242424242&expiry=1e999999&cvc=123&name=A&provider=" + r.Provider.ID, form},
			{"front", "POST", "/checkout/" + co.ShortCode + "/pay", "number=%00&expiry=12%2F34&cvc=123&name=%00&provider=" + r.Provider.ID, form},
			{"front", "POST", "/checkout/" + co.ShortCode + "/pay", strings.Repeat("a=b&", 10000), form},
			{"front", "GET", "/intandem/checkout/%00/x", "", nil},
			{"front", "GET", "/intandem/connect?b_uid=biz-1&redirect_url=https%3A%2F%2Fevil.example", "", nil},
			{"front", "GET", "/intandem/disconnect?b_uid=%00", "", nil},
			{"front", "POST", "/intandem/token", `{"pivot_id":"biz-1","amount":"1e999999","currency":"USD","number":"4242424242424242"}`, fromPage},
			{"front", "POST", "/intandem/token", `not json`, fromPage},
			{"front", "POST", "/intandem/charge", `{"amount":"10","currency":"USD","token":"tok_\u0000","payment_status_uid":"\u0000"}`, nil},
			{"front", "POST", "/intandem/refund", `{"amount":"10","currency":"USD","charge_key":"` + co.ID + `"}`, nil},
			{"front", "POST", "/intandem/refund", `{"amount":[1],"charge_key":{}}`, nil},
		}
		before := counts(t, s)
		client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for _, h := range cases {
			req, err := http.NewRequest(h.method, servers[h.server]+h.path, strings.NewReader(h.body))
			if err != nil {
				t.Fatalf("%s %s: %v", h.method, h.path, err)
			}
			if h.body != "" && !strings.Contains(strings.Join(h.headers, " "), "Content-Type") {
				req.Header.Set("Content-Type", "application/json")
			}
			for i := 0; i+1 < len(h.headers); i += 2 {
				req.Header.Set(h.headers[i], h.headers[i+1])
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Errorf("%s %s %s: %v", h.server, h.method, h.path, err)
				continue
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			// inTandem's charge contract answers its errors with 200.
			refused := resp.StatusCode >= 300 || h.path == "/intandem/charge" && strings.Contains(string(raw), `"error"`)
			if resp.StatusCode >= 500 || !refused && h.method != "GET" {
				t.Errorf("%s %s %.80s: %d %.200s", h.server, h.method, h.path, resp.StatusCode, raw)
			}
		}
		after := counts(t, s)
		for _, tb := range tables {
			if after[tb] != before[tb] {
				t.Errorf("refused requests changed %s: %d -> %d rows", tb, before[tb], after[tb])
			}
		}
	})
}
