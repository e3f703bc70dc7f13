package frontend_test

import (
	"cmp"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pgw/pgw/internal/browsertest"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// createLink makes a reusable payment link through the Admin API.
func (sh *shop) createLink(body string) map[string]any {
	sh.t.Helper()
	req, _ := http.NewRequest("POST", sh.admin+"/api/v1/payment-links", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+sh.r.Token)
	resp, err := http.DefaultClient.Do(req)
	storetest.Must(sh.t, err, "create link")
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if resp.StatusCode != 201 || json.Unmarshal(raw, &m) != nil {
		sh.t.Fatalf("create link: %d %s", resp.StatusCode, raw)
	}
	return m
}

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func postForm(t *testing.T, target string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := noRedirects.Do(req)
	storetest.Must(t, err, "POST %s", target)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestPaymentLinkPage(t *testing.T) {
	sh := newShop(t, func(c *config.Config) {
		c.Limits.AttemptsPerClient, c.Limits.Window = 4, config.Default().Limits.Window
	})
	link := sh.createLink(`{"siteId":"` + sh.r.Site.ID + `","name":"Workshop","currency":"EUR",
		"items":[{"name":"Ticket","unitPrice":4500,"quantity":1,"adjustableQuantity":true},{"name":"Booklet","unitPrice":500,"quantity":1}]}`)
	u := link["url"].(string)
	resp, err := http.Get(u)
	storetest.Must(t, err, "GET link")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Workshop") || !strings.Contains(string(body), `name="qty-0"`) ||
		strings.Contains(string(body), `name="qty-1"`) {
		t.Fatalf("link page %d", resp.StatusCode)
	}
	// Two tickets and the booklet make a checkout of 95.00; the customer is
	// sent to it.
	resp, _ = postForm(t, u, url.Values{"qty-0": {"2"}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/checkout/") {
		t.Fatalf("use: %d %s", resp.StatusCode, loc)
	}
	c, err := sh.s.GetCheckoutByShortCode(context.Background(), strings.TrimPrefix(loc, "/checkout/"))
	storetest.Must(t, err, "the link's checkout")
	if c.Amount != 9500 || c.PaymentLinkID != link["id"] || c.Source != checkout.SourceLink || len(c.Items) != 2 {
		t.Fatalf("checkout %d %q %s %d items", c.Amount, c.PaymentLinkID, c.Source, len(c.Items))
	}
	for _, bad := range []url.Values{{"qty-0": {"100"}}, {"qty-0": {"-1"}}, {"qty-0": {"two"}}} {
		if resp, body := postForm(t, u, bad); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="form-error"`) {
			t.Errorf("quantities %v: %d", bad, resp.StatusCode)
		}
	}
	// A client that keeps making checkouts is stopped (4 per window here).
	var last int
	for range 4 {
		resp, _ := postForm(t, u, url.Values{"qty-0": {"1"}})
		last = resp.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("the fifth use from one address: %d", last)
	}
	if resp, _ := postForm(t, sh.front+"/l/nope", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown code: %d", resp.StatusCode)
	}
	if r, err := http.Get(sh.front + "/l/" + strings.Repeat("x", 200)); err != nil || r.StatusCode != http.StatusNotFound {
		t.Errorf("a long code: %v", r)
	}
	// A cross-site form is refused.
	req, _ := http.NewRequest("POST", u, strings.NewReader("qty-0=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err := noRedirects.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site use: %v", resp)
	}
}

func shots(t *testing.T) string { return cmp.Or(os.Getenv("PGW_SCREENSHOTS"), t.TempDir()) }

// TestBrowserPaymentLinkThreeBuyers: a link limited to three payments is paid
// by three browsers, each through a checkout of its own; the fourth is told
// the link has taken all it can.
func TestBrowserPaymentLinkThreeBuyers(t *testing.T) {
	sh := newShop(t)
	link := sh.createLink(`{"siteId":"` + sh.r.Site.ID + `","name":"Donation","currency":"EUR","customAmount":{"min":500,"max":50000},"maxPayments":3}`)
	u := link["url"].(string)
	for i, amount := range []string{"10", "25.50", "7"} {
		ctx := browsertest.New(t)
		storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.ID("amount")),
			chromedp.SendKeys(chromedp.ID("amount"), amount), chromedp.Click(chromedp.ID("continue")),
			fillCard("4242 4242 4242 4242"), chromedp.WaitVisible(chromedp.ID("receipt-title"))), "buyer %d pays", i+1)
		if i == 0 {
			browsertest.Screens(t, ctx, shots(t), "payment-link-receipt")
		}
	}
	list, _, err := sh.s.ListCheckouts(context.Background(), store.CheckoutFilter{OrganizationID: sh.r.Organization.ID, Page: 1, Limit: 10})
	storetest.Must(t, err, "list")
	var total int64
	for _, c := range list {
		if c.PaymentLinkID != link["id"] || c.Status != checkout.StatusComplete {
			t.Fatalf("checkout %s of link %q is %s", c.ID, c.PaymentLinkID, c.Status)
		}
		total += c.Amount
	}
	if len(list) != 3 || total != 1000+2550+700 {
		t.Fatalf("%d checkouts for %d", len(list), total)
	}
	ctx := browsertest.New(t)
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.ID("state"))), "a fourth buyer")
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("state")))
	storetest.Must(t, err, "read")
	if !strings.Contains(msg, "taken all the payments") {
		t.Fatalf("the fourth buyer reads %q", msg)
	}
	browsertest.Screens(t, ctx, shots(t), "payment-link-sold-out")
	browsertest.NoOverflow(t, ctx, "payment link")
}
