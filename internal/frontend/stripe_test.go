package frontend_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/provider/stripe"
	"github.com/pgw/pgw/internal/provider/stripe/stripetest"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tenant"
)

// stripeSite is a frontend whose site has a Stripe provider, against stripe-mock.
func stripeSite(t *testing.T) (*site, *stripetest.Mock) {
	mock := stripetest.Start(t)
	s := storetest.Open(t, store.SQLite)
	cfg := &config.Config{}
	cfg.Stripe.APIBase = mock.URL
	srv := httptest.NewServer(app.Frontend(cfg, s, slog.New(slog.DiscardHandler)).Handler)
	t.Cleanup(srv.Close)
	r, err := store.Bootstrap(context.Background(), s, store.BootstrapInput{Org: "O", Site: "Stripe Shop"})
	storetest.Must(t, err, "bootstrap")
	storetest.Must(t, s.CreateProvider(context.Background(), &tenant.Provider{ID: ids.New("prov"), OrganizationID: r.Organization.ID,
		SiteID: r.Site.ID, Type: tenant.ProviderStripe, Name: "Card", Enabled: true, CreatedAt: store.TimeNow(),
		Config: stripe.Config{SecretKey: "sk_test_1", PublishableKey: "pk_test_1", WebhookSecret: "whsec_1"}.JSON()}), "provider")
	return &site{t: t, s: s, srv: srv, r: r}, mock
}

func TestStripeMethodPage(t *testing.T) {
	st, mock := stripeSite(t)
	c := st.checkout(checkout.ModeTest, `{"amount":4900,"currency":"EUR","externalReference":"s-1","returnUrl":"https://shop.example/ok?tx={transactionId}"}`)
	resp, body := st.get("/checkout/" + c.ShortCode)
	csp := resp.Header.Get("Content-Security-Policy")
	nonce := regexp.MustCompile(`'nonce-([^']+)'`).FindStringSubmatch(csp)[1]
	want := "default-src 'none'; script-src 'self' 'nonce-" + nonce + "' https://js.stripe.com; style-src 'self' 'nonce-" + nonce + "'; " +
		"img-src 'self' https: data:; form-action 'self' https://shop.example; base-uri 'none'; frame-ancestors 'none'; " +
		"frame-src https://js.stripe.com https://hooks.stripe.com; connect-src https://api.stripe.com"
	if csp != want {
		t.Fatalf("CSP\n got %s\nwant %s", csp, want)
	}
	for _, s := range []string{`id="payment-element"`, `data-publishable-key="pk_test_1"`, `_secret_`,
		`<script src="https://js.stripe.com/v3" nonce="` + nonce + `">`, `nonce="` + nonce + `" defer>`} {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	// A reload mounts the same PaymentIntent: no second transaction.
	st.get("/checkout/" + c.ShortCode)
	got, _ := st.s.GetCheckout(context.Background(), st.r.Organization.ID, c.ID)
	if len(got.Transactions) != 1 || got.Transactions[0].ProviderRef == "" {
		t.Fatalf("%d attempts after two views", len(got.Transactions))
	}
	creates := 0
	for _, r := range mock.Requests() {
		if r.Path == "/v1/payment_intents" {
			creates++
		}
	}
	if creates != 1 {
		t.Fatalf("%d PaymentIntents created", creates)
	}
	// Pages without Stripe keep the strict policy.
	sandboxOnly := st.checkout(checkout.ModeLive, `{"amount":100,"currency":"EUR","externalReference":"live"}`)
	if resp, _ := st.get("/checkout/" + sandboxOnly.ShortCode); strings.Contains(resp.Header.Get("Content-Security-Policy"), "stripe") {
		t.Fatal("a page without Stripe admits Stripe")
	}

	// The return page only reads our records: pending reloads itself, a
	// success (from the webhook) sends the buyer to the shop.
	tx := got.Transactions[0]
	_, ret := st.get("/checkout/" + c.ShortCode + "/return?tx=" + tx.ID + "&payment_intent=pi_x&redirect_status=succeeded")
	if !strings.Contains(ret, `http-equiv="refresh"`) || !strings.Contains(ret, "being confirmed") {
		t.Fatalf("pending return page:\n%s", ret)
	}
	if after, _ := st.s.GetTransactionUnscoped(context.Background(), tx.ID); after.Status != checkout.TxInitiated {
		t.Fatal("the return page completed the payment by itself")
	}
	_, err := st.s.ApplyProviderEvent(context.Background(), c, tx.ID, store.ProviderEvent{ProviderID: tx.ProviderID, EventID: "evt_1",
		Type: "payment_intent.succeeded", Kind: store.EventSucceeded})
	storetest.Must(t, err, "apply success")
	resp, _ = st.get("/checkout/" + c.ShortCode + "/return?tx=" + tx.ID)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "https://shop.example/ok?tx="+tx.ID {
		t.Fatalf("return after success: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestBrowserStripeMountPoint(t *testing.T) {
	ctx := browser(t)
	st, _ := stripeSite(t)
	c := st.checkout(checkout.ModeTest, `{"amount":4900,"currency":"EUR","externalReference":"s-2"}`)
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(st.srv.URL+"/checkout/"+c.ShortCode),
		chromedp.WaitReady(chromedp.ID("payment-element"))), "open page")
	// Stripe.js cannot load here; our script says so instead of failing silently.
	shown := false
	for deadline := time.Now().Add(10 * time.Second); !shown && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var err error
		shown, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.getElementById("stripe-error").hidden`))
		storetest.Must(t, err, "evaluate")
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("stripe-error")))
	storetest.Must(t, err, "read error")
	disabled, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("stripe-pay").disabled`))
	storetest.Must(t, err, "button")
	if !shown || !strings.Contains(msg, "could not load") || !disabled {
		t.Fatalf("without Stripe.js: shown %v, %q, button disabled %v", shown, msg, disabled)
	}
}
