package frontend_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/browsertest"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// browser starts a headless Chromium for the test.
func browser(t *testing.T) context.Context { return browsertest.New(t) }

// shop is the merchant's side: an Admin API client and a return page.
type shop struct {
	t        *testing.T
	s        *store.Store
	admin    string
	front    string
	merchant string
	returns  chan string
	r        *store.BootstrapResult
}

func newShop(t *testing.T, configure ...func(*config.Config)) *shop {
	s := storetest.Open(t, store.SQLite)
	front := httptest.NewUnstartedServer(nil)
	front.Start()
	t.Cleanup(front.Close)
	cfg := &config.Config{}
	cfg.URLs.MainFrontend = front.URL
	cfg.Checkout.MaxAmount = 1e12
	for _, fn := range configure {
		fn(cfg)
	}
	front.Config.Handler = app.Frontend(cfg, s, slog.New(slog.DiscardHandler)).Handler
	admin := httptest.NewServer(app.Admin(cfg, s, slog.New(slog.DiscardHandler)).Handler)
	t.Cleanup(admin.Close)
	sh := &shop{t: t, s: s, admin: admin.URL, front: front.URL, returns: make(chan string, 10)}
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sh.returns <- r.URL.RawQuery
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!doctype html><title>Shop</title><h1 id="merchant-return">Thanks from the shop</h1>`)
	}))
	t.Cleanup(merchant.Close)
	sh.merchant = merchant.URL
	var err error
	sh.r, err = store.Bootstrap(context.Background(), s, store.BootstrapInput{Org: "Browser", Site: "Browser Shop"})
	storetest.Must(t, err, "bootstrap")
	return sh
}

// create makes a checkout through the Admin API, as a merchant's server does.
func (sh *shop) create(body string) map[string]any {
	sh.t.Helper()
	return sh.createAs(sh.r, body)
}

// createAs makes a checkout of another organization's site.
func (sh *shop) createAs(org *store.BootstrapResult, body string) map[string]any {
	sh.t.Helper()
	req, _ := http.NewRequest("POST", sh.admin+"/v1/checkouts/"+org.Site.ID+"/create", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+org.Token)
	resp, err := http.DefaultClient.Do(req)
	storetest.Must(sh.t, err, "create")
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if resp.StatusCode != 200 || json.Unmarshal(raw, &m) != nil {
		sh.t.Fatalf("create: %d %s", resp.StatusCode, raw)
	}
	return m
}

func fillCard(number string) chromedp.Action[chromedp.Void] {
	clear := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`["number","expiry","cvc","name"].every(id => (document.getElementById(id).value = "") === "")`)(ctx, t)
		return err
	})
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.ID("card-form")),
		clear,
		chromedp.SendKeys(chromedp.ID("number"), number),
		chromedp.SendKeys(chromedp.ID("expiry"), "12 / 34"),
		chromedp.SendKeys(chromedp.ID("cvc"), "123"),
		chromedp.SendKeys(chromedp.ID("name"), "Ana Ruiz"),
		chromedp.Click(chromedp.ID("pay")),
	)
}

func TestBrowserPayToReturnURL(t *testing.T) {
	ctx := browser(t)
	sh := newShop(t)
	co := sh.create(`{"amount":4900,"currency":"EUR","externalReference":"order-1",
		"returnUrl":"` + sh.merchant + `/return?tx={transactionId}&order=1",
		"items":[{"name":"<script>alert(1)</script>","quantity":1,"unitPrice":4900,"vatRate":19}]}`)
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(co["paymentUrl"].(string))), "open paymentUrl")
	label, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("td .label")))
	storetest.Must(t, err, "read item")
	if label != "<script>alert(1)</script>" {
		t.Fatalf("item name shows as %q", label)
	}
	storetest.Must(t, chromedp.Do(ctx, fillCard("4242 4242 4242 4242"), chromedp.WaitVisible(chromedp.ID("merchant-return"))), "pay")
	var query string
	select {
	case query = <-sh.returns:
	case <-time.After(5 * time.Second):
		t.Fatal("the merchant's return URL was not reached")
	}
	q, _ := url.ParseQuery(query)
	tx, err := sh.s.GetTransactionUnscoped(context.Background(), q.Get("tx"))
	storetest.Must(t, err, "transaction %q from the return URL", q.Get("tx"))
	if tx.Status != checkout.TxSucceeded || q.Get("order") != "1" || tx.CardLast4 != "4242" {
		t.Fatalf("returned with %q, transaction %+v", query, tx)
	}
}

func TestBrowserDeclineRetryReceipt(t *testing.T) {
	ctx := browser(t)
	sh := newShop(t)
	co := sh.create(`{"amount":737600,"currency":"JPY","externalReference":"jp-7","locale":"ja",
		"items":[{"name":"抹茶","quantity":2,"unitPrice":368800,"vatRate":10}]}`)
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(co["paymentUrl"].(string)),
		fillCard("4000 0000 0000 0002"), chromedp.WaitVisible(chromedp.ID("form-error"))), "declined payment")
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("form-error")))
	storetest.Must(t, err, "read error")
	if !strings.Contains(msg, "拒否") { // "declined", in the checkout's Japanese
		t.Fatalf("decline message %q", msg)
	}
	storetest.Must(t, chromedp.Do(ctx, fillCard("4242 4242 4242 4242"), chromedp.WaitVisible(chromedp.ID("receipt-title"))), "retry")
	amount, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("paid-amount")))
	storetest.Must(t, err, "read amount")
	if !strings.Contains(amount, "737,600") {
		t.Fatalf("paid amount %q", amount)
	}
	got, err := sh.s.GetCheckout(context.Background(), sh.r.Organization.ID, co["id"].(string))
	storetest.Must(t, err, "checkout")
	if got.Status != checkout.StatusComplete || len(got.Transactions) != 2 {
		t.Fatalf("checkout %s with %d attempts", got.Status, len(got.Transactions))
	}
	browsertest.Screens(t, ctx, t.TempDir(), "receipt")
}

func TestBrowserExpiredRefuses(t *testing.T) {
	ctx := browser(t)
	sh := newShop(t)
	co := sh.create(`{"amount":100,"currency":"EUR","externalReference":"old"}`)
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(co["paymentUrl"].(string)), chromedp.WaitVisible(chromedp.ID("card-form"))), "open")
	_, err := sh.s.ExpireCheckout(context.Background(), sh.r.Organization.ID, co["id"].(string))
	storetest.Must(t, err, "expire")
	// The buyer still has the form open and submits it.
	storetest.Must(t, chromedp.Do(ctx, fillCard("4242 4242 4242 4242"), chromedp.WaitVisible(chromedp.ID("state-title"))), "pay expired")
	title, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("state-title")))
	storetest.Must(t, err, "title")
	noForm, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("card-form") === null`))
	storetest.Must(t, err, "evaluate")
	if !strings.Contains(title, "expired") || !noForm {
		t.Fatalf("expired page: %q, form gone %v", title, noForm)
	}
	got, _ := sh.s.GetCheckout(context.Background(), sh.r.Organization.ID, co["id"].(string))
	if len(got.Transactions) != 0 {
		t.Fatalf("expired checkout took %d attempts", len(got.Transactions))
	}
}

// colours counts the distinct colours of a PNG.
func colours(t *testing.T, b []byte) int { return browsertest.Colours(t, b) }

// The card form formats as the buyer types, and an expiry typed as digits
// alone, as on a phone keypad, pays.
func TestBrowserCardFieldsFormatAsTyped(t *testing.T) {
	ctx := browser(t)
	sh := newShop(t)
	co := sh.create(`{"amount":1500,"currency":"EUR","externalReference":"keypad-1"}`)
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(co["paymentUrl"].(string)), chromedp.WaitVisible(chromedp.ID("card-form")),
		chromedp.SendKeys(chromedp.ID("number"), "4242424242424242"), chromedp.SendKeys(chromedp.ID("expiry"), "1234")), "type")
	values, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("number").value + "|" + document.getElementById("expiry").value`))
	storetest.Must(t, err, "read fields")
	if values != "4242 4242 4242 4242|12 / 34" {
		t.Fatalf("fields read %q", values)
	}
	storetest.Must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("cvc"), "123"), chromedp.SendKeys(chromedp.ID("name"), "Ana Ruiz"),
		chromedp.Click(chromedp.ID("pay")), chromedp.WaitVisible(chromedp.ID("receipt-title"))), "pay")
}

// Past the attempts allowed on a checkout the buyer sees a page that says to
// wait, and nothing is charged.
func TestBrowserTooManyAttempts(t *testing.T) {
	ctx := browser(t)
	sh := newShop(t, func(c *config.Config) {
		c.Limits = config.Limits{Window: 15 * time.Minute, AttemptsPerCheckout: 2, AttemptsPerClient: 100, AttemptsPerSite: 100}
	})
	co := sh.create(`{"amount":2000,"currency":"EUR","externalReference":"cards-1"}`)
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(co["paymentUrl"].(string))), "open")
	for i := range 2 {
		storetest.Must(t, chromedp.Do(ctx, fillCard("4000 0000 0000 0002"), chromedp.WaitVisible(chromedp.ID("form-error"))), "decline %d", i+1)
	}
	storetest.Must(t, chromedp.Do(ctx, fillCard("4242 4242 4242 4242"), chromedp.WaitVisible(chromedp.ID("state-title"))), "third try")
	title, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("state-title")))
	storetest.Must(t, err, "title")
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("state")))
	storetest.Must(t, err, "message")
	if title != "Too many payment attempts" || !strings.Contains(msg, "Nothing was charged") {
		t.Fatalf("page says %q / %q", title, msg)
	}
	c, err := sh.s.GetCheckout(context.Background(), sh.r.Organization.ID, co["id"].(string))
	storetest.Must(t, err, "checkout")
	if c.Status != checkout.StatusOpen || len(c.Transactions) != 2 {
		t.Fatalf("after the refused try: %s with %d attempts", c.Status, len(c.Transactions))
	}
	browsertest.Screens(t, ctx, cmp.Or(os.Getenv("PGW_SCREENSHOTS"), t.TempDir()), "too-many-attempts")
}
