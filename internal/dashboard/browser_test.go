package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pgw/pgw/internal/adapter/intandem"
	"github.com/pgw/pgw/internal/adapter/intandem/intandemtest"
	"github.com/pgw/pgw/internal/browsertest"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// screens saves screenshots of the current page into dir.
func screens(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	browsertest.Screens(t, ctx, dir, name)
}

func signInAs(t *testing.T, ctx context.Context, w *world, role string) {
	t.Helper()
	storetest.Must(t, chromedp.Do(ctx,
		chromedp.Navigate(w.admin+"/dashboard"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), w.emails[role]),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("header.top")),
	), "sign in as %s", role)
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
	storetest.Must(t, err, "read the title")
	if h1 != "Overview" {
		t.Fatalf("after sign-in the page is %q", h1)
	}
}

// js runs a statement in the page.
func js(code string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool]("(() => { "+code+"; return true })()")(ctx, tg)
		return err
	})
}

// waitFor polls a condition in the page until it holds, for at most 10 s.
func waitFor(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond)); err == nil && ok {
			return
		}
	}
	t.Fatalf("waited in vain for %s", cond)
}

func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	storetest.Must(t, err, "read %s", css)
	return s
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	storetest.Must(t, err, "evaluate %s", js)
	return v
}

// TestBrowserPaymentLink is an operator's day: sign in, create a payment
// link, the buyer pays it with the sandbox, the operator sees it complete and
// refunds part of it, then looks after the site.
func TestBrowserPaymentLink(t *testing.T) {
	ctx := browsertest.New(t)
	w := newWorld(t, storetest.Open(t, store.SQLite))
	shots := t.TempDir()

	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(w.admin+"/dashboard"), chromedp.WaitVisible(chromedp.ID("email"))), "open the dashboard")
	screens(t, ctx, shots, "signin")
	signInAs(t, ctx, w, "admin")

	storetest.Must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav a[href="/dashboard/links"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main a[href="/dashboard/links/new"]`)),
		chromedp.Click(chromedp.CSS(`main a[href="/dashboard/links/new"]`)),
		chromedp.WaitVisible(chromedp.ID("link-form")),
		chromedp.SendKeys(chromedp.ID("item-name-0"), "Consulting hour"),
		js(`document.getElementById("item-qty-0").value = ""`),
		chromedp.SendKeys(chromedp.ID("item-qty-0"), "2"),
		chromedp.SendKeys(chromedp.ID("item-price-0"), "12.50"),
		chromedp.Click(chromedp.ID("add-item")),
		chromedp.WaitVisible(chromedp.ID("item-name-1")),
		chromedp.SendKeys(chromedp.ID("item-name-1"), "Travel"),
		chromedp.SendKeys(chromedp.ID("item-price-1"), "5"),
		chromedp.SendKeys(chromedp.ID("reference"), "INV-2001"),
	), "fill the payment-link form")
	if total := text(t, ctx, "#link-total"); !strings.Contains(total, "30.00") {
		t.Fatalf("live total %q, want 30.00", total)
	}
	screens(t, ctx, shots, "new-link")
	storetest.Must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#link-form button[type=submit]")), chromedp.WaitVisible(chromedp.ID("link-url"))), "create the link")
	link := eval[string](t, ctx, `document.getElementById("link-url").value`)
	if !strings.HasPrefix(link, w.front+"/checkout/") {
		t.Fatalf("payment link %q", link)
	}
	if !eval[bool](t, ctx, `(async () => { const i = document.querySelector("img.qr"); await i.decode(); return i.naturalWidth >= 100 })()`) {
		t.Fatal("no QR code")
	}
	screens(t, ctx, shots, "link-created")

	// The buyer opens the link and pays with a sandbox card.
	storetest.Must(t, chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.ID("card-form")),
		chromedp.SendKeys(chromedp.ID("number"), "4242 4242 4242 4242"),
		chromedp.SendKeys(chromedp.ID("expiry"), "12 / 34"),
		chromedp.SendKeys(chromedp.ID("cvc"), "123"),
		chromedp.SendKeys(chromedp.ID("name"), "Ana Ruiz"),
		chromedp.Click(chromedp.ID("pay")),
		chromedp.WaitVisible(chromedp.ID("receipt-title")),
	), "pay the link")

	// The operator finds it complete.
	storetest.Must(t, chromedp.Do(ctx,
		chromedp.Navigate(w.admin+"/dashboard/checkouts"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), "inv-2001"),
		chromedp.Click(chromedp.CSS("form.filters button")),
	), "search the checkouts")
	// The list before the search has the row too: wait for the search's page.
	waitFor(t, ctx, `location.search.includes("q=inv-2001") && document.readyState === "complete"`)
	storetest.Must(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("tbody tr"))), "search results")
	if ref, status := text(t, ctx, "tbody td a"), text(t, ctx, "tbody .status"); ref != "INV-2001" || status != "complete" {
		t.Fatalf("the list shows %q as %q", ref, status)
	}
	screens(t, ctx, shots, "checkouts")

	storetest.Must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("tbody td a")), chromedp.WaitVisible(chromedp.CSS("ol.timeline"))), "open the checkout")
	if tl := text(t, ctx, "ol.timeline"); !strings.Contains(tl, "Created (dashboard)") || !strings.Contains(tl, "succeeded") || !strings.Contains(tl, "Checkout complete") {
		t.Fatalf("timeline: %q", tl)
	}
	screens(t, ctx, shots, "checkout")
	storetest.Must(t, chromedp.Do(ctx,
		js(`document.querySelector("form.refund input[name=amount]").value = "5.00"`),
		// The operator answers the confirmation with yes.
		js(`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS("form.refund button")),
		chromedp.WaitVisible(chromedp.CSS("p.alert")),
	), "refund part")
	if msg := text(t, ctx, "p.alert"); !strings.Contains(msg, "Refunded") || !strings.Contains(msg, "5.00") {
		t.Fatalf("after the refund: %q", msg)
	}
	list, _, err := w.s.ListCheckouts(context.Background(), store.CheckoutFilter{OrganizationID: w.acme.Organization.ID, Search: "INV-2001", Page: 1, Limit: 5})
	storetest.Must(t, err, "list")
	c, err := w.s.GetCheckout(context.Background(), w.acme.Organization.ID, list[0].ID)
	storetest.Must(t, err, "checkout")
	if c.Amount != 3000 || c.Status != checkout.StatusComplete || c.Source != checkout.SourceDashboard || len(c.Items) != 2 ||
		c.Transactions[0].RefundedAmount != 500 {
		t.Fatalf("checkout %d %s %s items %d refunded %d", c.Amount, c.Status, c.Source, len(c.Items), c.Transactions[0].RefundedAmount)
	}

	// The site's branding preview follows the form before it is saved.
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(w.admin+"/dashboard/sites/"+w.acme.Site.ID), chromedp.WaitVisible(chromedp.ID("preview"))), "open the site")
	storetest.Must(t, chromedp.Do(ctx, js(`const c = document.getElementById("color"); c.value = "#ff0000";
		c.dispatchEvent(new Event("input", {bubbles: true}))`)), "change the colour")
	var src string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && !strings.Contains(src, "color=%23ff0000"); time.Sleep(100 * time.Millisecond) {
		src = eval[string](t, ctx, `document.getElementById("preview").src`)
	}
	if !strings.Contains(src, "color=%23ff0000") {
		t.Fatalf("the preview shows %q", src)
	}
	storetest.Must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#branding button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("main > p.alert:not(.error)"))), "save the branding")
	site, err := w.s.GetSite(context.Background(), w.acme.Organization.ID, w.acme.Site.ID)
	storetest.Must(t, err, "site")
	if site.PrimaryColor != "#ff0000" {
		t.Fatalf("saved colour %q", site.PrimaryColor)
	}
	screens(t, ctx, shots, "site")
	for _, page := range []string{"transactions", "keys", "users", "account"} {
		storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(w.admin+"/dashboard/"+page), chromedp.WaitVisible(chromedp.CSS("main h1"))), "open %s", page)
		screens(t, ctx, shots, page)
	}
	t.Logf("screenshots in %s", shots)
}

// TestBrowserViewerAndForgery: a Viewer is offered no refund and is refused
// one; a form on another site cannot post to the dashboard with the
// operator's cookie.
func TestBrowserViewerAndForgery(t *testing.T) {
	ctx := browsertest.New(t)
	w := newWorld(t, storetest.Open(t, store.SQLite))
	coID, txID := w.paid(w.acme, "viewer-1")

	evil := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(rw, `<!doctype html><title>Win a prize</title>
<form id="f" method="post" action="%s/dashboard/keys"><input name="name" value="stolen"><input name="mode" value="live">
<input name="scope" value="checkout:read"><button id="go">Claim</button></form>`, w.admin)
	}))
	t.Cleanup(evil.Close)

	signInAs(t, ctx, w, "admin")
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(evil.URL), chromedp.Click(chromedp.ID("go")), chromedp.WaitVisible(chromedp.CSS("pre"))), "the forged form")
	if body := text(t, ctx, "pre"); !strings.Contains(body, "Refused") {
		t.Fatalf("the forged POST answered %q", body)
	}
	keys, err := w.s.ListAPIKeys(context.Background(), w.acme.Organization.ID)
	storetest.Must(t, err, "keys")
	for _, k := range keys {
		if k.Name == "stolen" {
			t.Fatal("a form on another site created an API key")
		}
	}
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(w.admin+"/dashboard/checkouts"), chromedp.WaitVisible(chromedp.CSS("header.top")),
		chromedp.Click(chromedp.CSS(`form[action="/dashboard/signout"] button`)), chromedp.WaitVisible(chromedp.ID("email"))), "sign out")

	signInAs(t, ctx, w, "viewer")
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(w.admin+"/dashboard/transactions"), chromedp.WaitVisible(chromedp.CSS("tbody tr"))), "transactions")
	if eval[bool](t, ctx, `document.querySelector("form.refund") !== null`) {
		t.Fatal("a viewer is offered a refund")
	}
	if eval[bool](t, ctx, `document.querySelector('nav a[href="/dashboard/links/new"]') !== null`) {
		t.Fatal("a viewer is offered payment links")
	}
	status := eval[float64](t, ctx, `fetch("/dashboard/transactions/`+txID+`/refund", {method: "POST",
		headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "amount=1.00"}).then(r => r.status)`)
	if status != http.StatusForbidden {
		t.Fatalf("a viewer's refund answered %v", status)
	}
	tx, err := w.s.GetTransactionUnscoped(context.Background(), txID)
	storetest.Must(t, err, "transaction")
	if tx.RefundedAmount != 0 {
		t.Fatalf("a viewer refunded %d", tx.RefundedAmount)
	}

	// A user of another organization, signed in in the same browser, finds nothing of Acme's.
	storetest.Must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action="/dashboard/signout"] button`)), chromedp.WaitVisible(chromedp.ID("email"))), "sign out")
	signInAs(t, ctx, w, "other")
	if body := text(t, ctx, "main"); strings.Contains(body, "viewer-1") {
		t.Fatal("another organization's checkout list shows Acme's checkout")
	}
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(w.admin+"/dashboard/checkouts/"+coID), chromedp.WaitVisible(chromedp.CSS("main h1"))), "open Acme's checkout")
	if h1 := text(t, ctx, "main h1"); h1 != "Not found" {
		t.Fatalf("Acme's checkout, seen from another organization: %q", h1)
	}
}

// The merchant clicks Disconnect in inTandem: our page sends them to the
// dashboard, where they sign in, confirm, and are back in inTandem.
func TestBrowserIntandemDisconnect(t *testing.T) {
	ctx := browsertest.New(t)
	w := newWorld(t, storetest.Open(t, store.SQLite), func(c *config.Config) { c.Notify.AllowPrivateTargets = true })
	fake := intandemtest.New(t, "biz-token")
	inTandemApp := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html")
		fmt.Fprint(rw, `<!doctype html><title>inTandem</title><h1 id="intandem-app">inTandem settings</h1>`)
	}))
	t.Cleanup(inTandemApp.Close)
	now := store.TimeNow()
	storetest.Must(t, intandem.NewData(w.s).SaveConnection(context.Background(), &intandem.Connection{
		SiteID: w.acme.Site.ID, OrganizationID: w.acme.Organization.ID, APIBase: fake.URL, BusinessUID: "biz-b",
		Token: "biz-token", FrameOrigins: inTandemApp.URL, AppName: "pgw", Mode: checkout.ModeTest, Connected: true, CreatedAt: now, UpdatedAt: now,
	}), "connect")
	link := w.front + "/intandem/disconnect?b_uid=biz-b&redirect_url=" + url.QueryEscape(inTandemApp.URL+"/settings")
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("a.button, main a"))), "open the link")
	storetest.Must(t, chromedp.Do(ctx, js(`document.querySelector("a[href*='/dashboard/intandem/disconnect']").click()`),
		chromedp.WaitVisible(chromedp.ID("email"))), "to the dashboard's sign-in")
	if c, _ := intandem.NewData(w.s).ConnectionBySite(context.Background(), w.acme.Site.ID); !c.Connected {
		t.Fatal("following the link disconnected")
	}
	storetest.Must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("email"), w.emails["admin"]),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("form[action='/dashboard/intandem/disconnect'] button")),
	), "sign in and see the confirmation")
	screens(t, ctx, t.TempDir(), "intandem-disconnect")
	storetest.Must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("form[action='/dashboard/intandem/disconnect'] button")),
		chromedp.WaitVisible(chromedp.ID("intandem-app"))), "confirm")
	if c, _ := intandem.NewData(w.s).ConnectionBySite(context.Background(), w.acme.Site.ID); c.Connected || len(fake.Settings()) != 1 {
		t.Fatal("not disconnected after confirming")
	}
}
