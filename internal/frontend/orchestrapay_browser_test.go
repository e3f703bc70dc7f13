package frontend_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/outbox"
	"github.com/pgw/pgw/internal/store/storetest"
)

// An Orchestrapay client's whole flow with a buyer in a real browser.
func TestBrowserOrchestrapayFlow(t *testing.T) {
	ctx := browser(t)
	sh := newShop(t)
	var mu sync.Mutex
	var hooks []map[string]any
	var secrets []string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m) //nolint:errcheck // checked below
		mu.Lock()
		hooks, secrets = append(hooks, m), append(secrets, r.Header.Get("Orchestrapay-Webhook-Secret"))
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer receiver.Close()
	wctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		outbox.New(sh.s, outbox.Config{PollInterval: 10 * time.Millisecond, Lease: 3 * time.Second, Concurrency: 4, MaxAge: time.Minute,
			RetryBase: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond, AttemptTimeout: time.Second, AllowPrivate: true, Sinks: app.Sinks(sh.s)},
			slog.New(slog.DiscardHandler)).Run(wctx)
	}()
	defer func() { cancel(); <-done }()

	call := func(path, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest("POST", sh.admin+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+sh.r.Token)
		resp, err := http.DefaultClient.Do(req)
		storetest.Must(t, err, "POST %s", path)
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if resp.StatusCode != 201 || json.Unmarshal(raw, &m) != nil {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, raw)
		}
		return m
	}
	ci := call("/checkout-intents", `{"amount":15000,"currency":"EGP","human_friendly_payment_intent_secret":"#1940284",
		"final_success_url":"`+sh.merchant+`/success","final_failure_url":"`+sh.merchant+`/failure",
		"webhook_urls":["`+receiver.URL+`/hook"],"webhook_secret":"s3cret",
		"line_items":[{"name":"Phone case","price":15000,"quantity":1,"image":"https://example.com/i.jpg"}]}`)
	gw := ci["gateways"].([]any)[0].(map[string]any)
	pi := call("/payment-intents", `{"gateway":"`+gw["name"].(string)+`","checkout_intent":"`+ci["checkout_intent"].(string)+`"}`)

	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(pi["payment_url"].(string))), "open the hosted page")
	ref, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("reference")))
	storetest.Must(t, err, "reference")
	if ref != "#1940284" {
		t.Fatalf("reference shown %q", ref)
	}
	storetest.Must(t, chromedp.Do(ctx, fillCard("4242 4242 4242 4242"), chromedp.WaitVisible(chromedp.ID("merchant-return"))), "pay")
	loc, err := chromedp.Run(ctx, chromedp.Location())
	storetest.Must(t, err, "location")
	if loc != sh.merchant+"/success" {
		t.Fatalf("buyer landed on %s", loc)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(hooks)
		mu.Unlock()
		if n >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no webhook")
		}
	}
	mu.Lock()
	h, secret := hooks[0], secrets[0]
	mu.Unlock()
	if secret != "s3cret" || h["status"] != "success" || h["uuid"] != pi["uuid"] || h["webhook_type"] != "payment" || h["amount"] != float64(15000) {
		t.Fatalf("webhook %v secret %q", h, secret)
	}
	rf := call("/refunds", `{"payment_intent_secret":`+jsonNum(pi["id"])+`,"amount":5000,"currency":"EGP"}`)
	if rf["status"] != "success" || rf["amount"] != float64(5000) {
		t.Fatalf("refund %v", rf)
	}
}

func jsonNum(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
