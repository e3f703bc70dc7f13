package frontend_test

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"golang.org/x/text/language"

	"github.com/pgw/pgw/internal/browsertest"
	"github.com/pgw/pgw/internal/lang"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// englishPhrases are the English catalogue's words long enough to tell a
// page that leaks English: each message's longest run between placeholders.
func englishPhrases(t *testing.T) map[string]string {
	t.Helper()
	c, err := lang.New()
	storetest.Must(t, err, "catalogue")
	en := c.Printer(language.English)
	placeholder := regexp.MustCompile(`\x00\w+\x00`)
	out := map[string]string{}
	for _, id := range c.IDs() {
		if strings.HasPrefix(id, "month.") || strings.HasPrefix(id, "date.") {
			continue
		}
		msg := en.N(id, 5, "Site", "\x00S\x00", "Amount", "\x00A\x00", "Card", "\x00C\x00", "Time", "\x00T\x00", "Rate", "\x00R\x00",
			"Ref", "\x00F\x00", "Total", "\x00O\x00", "Received", "\x00E\x00", "Balance", "\x00B\x00", "Due", "\x00D\x00",
			"Brand", "\x00N\x00", "Last4", "\x00L\x00", "Digits", "\x00G\x00")
		longest := ""
		for _, part := range placeholder.Split(msg, -1) {
			if part = strings.TrimSpace(strings.Trim(part, ".,:·()")); len(part) > len(longest) {
				longest = part
			}
		}
		if len(longest) >= 8 {
			out[id] = longest
		}
	}
	return out
}

// TestBrowserLanguages renders the checkout page in English, German, Arabic
// and Japanese on a desktop and a phone: no English words in the others,
// right to left for Arabic, the total readable back in the page's digits,
// the total visible without scrolling on the phone, and each field error
// announced next to its field.
func TestBrowserLanguages(t *testing.T) {
	ctx := browser(t)
	sh := newShop(t)
	sh.addWire()
	phrases := englishPhrases(t)
	shots := cmp.Or(os.Getenv("PGW_SCREENSHOTS"), t.TempDir())
	co := sh.create(`{"amount":123456,"currency":"EUR","externalReference":"lang-1",
		"items":[{"name":"Espresso machine","quantity":1,"unitPrice":119900,"vatRate":19},{"name":"Beans","quantity":2,"unitPrice":1778,"vatRate":7}]}`)
	pay := co["paymentUrl"].(string)
	for _, tc := range []struct {
		lang, dir, total string
	}{
		{"en", "ltr", "€1,234.56"},
		{"de", "ltr", "1.234,56\u00a0€"},
		{"ar", "rtl", "١٬٢٣٤٫٥٦\u00a0€"},
		{"ja", "ltr", "€1,234.56"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			storetest.Must(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(pay+"?lg="+tc.lang),
				chromedp.WaitVisible(chromedp.ID("card-form"))), "open")
			attrs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.documentElement.lang, document.documentElement.dir]`))
			storetest.Must(t, err, "html attributes")
			if attrs[0] != tc.lang || attrs[1] != tc.dir {
				t.Fatalf("<html lang=%q dir=%q>; want %s %s", attrs[0], attrs[1], tc.lang, tc.dir)
			}
			text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			storetest.Must(t, err, "text")
			if tc.lang != "en" {
				for id, phrase := range phrases {
					if strings.Contains(text, phrase) {
						t.Errorf("English %q (%s) on the %s page", phrase, id, tc.lang)
					}
				}
			}
			qty, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("table.items tbody td.n").textContent`))
			storetest.Must(t, err, "quantity")
			if want := map[string]string{"ar": "١"}[tc.lang]; want != "" && qty != want || want == "" && qty != "1" {
				t.Errorf("the first quantity reads %q", qty)
			}
			total, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("total")))
			storetest.Must(t, err, "total")
			if total != tc.total {
				t.Errorf("total %q; want %q", total, tc.total)
			}
			browsertest.Screens(t, ctx, shots, "checkout-"+tc.lang)
			// On a desktop the order stands beside the payment form.
			beside, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const a = document.querySelector(".order").getBoundingClientRect();
				const b = document.getElementById("card-form").getBoundingClientRect(); return Math.abs(a.top - b.top) < 400 && (a.right <= b.left || b.right <= a.left) })()`))
			storetest.Must(t, err, "columns")
			if !beside {
				t.Errorf("on a desktop the order is not beside the payment form")
			}
			// On a phone the total is on the first screen, and the lines fold.
			storetest.Must(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(pay+"?lg="+tc.lang),
				chromedp.WaitVisible(chromedp.ID("summary-total"))), "phone")
			visible, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const b = document.getElementById("summary-total").getBoundingClientRect();
				return b.height > 0 && b.top >= 0 && b.bottom <= window.innerHeight && !document.getElementById("order-details").open &&
					document.getElementById("summary-total").textContent.includes(document.getElementById("total").textContent) })()`))
			storetest.Must(t, err, "phone")
			if !visible {
				t.Errorf("the total is below the first screen on a phone")
			}
			// Every field error at once, each tied to its field.
			storetest.Must(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(pay+"?lg="+tc.lang),
				chromedp.WaitVisible(chromedp.ID("card-form")), chromedp.Click(chromedp.ID("pay")), chromedp.WaitVisible(chromedp.ID("form-error"))), "submit empty")
			described, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`["number","expiry","cvc","name"].map(id => {
				const el = document.getElementById(id); const d = el.getAttribute("aria-describedby");
				return el.getAttribute("aria-invalid") + ":" + (d && document.getElementById(d) ? document.getElementById(d).textContent.trim() : "") })`))
			storetest.Must(t, err, "errors")
			for i, d := range described {
				if !strings.HasPrefix(d, "true:") || len(d) < 8 {
					t.Errorf("field %d: %q; want aria-invalid and a described error", i, d)
				}
			}
		})
	}
}

// TestLanguageChoice: ?lg= first, then the checkout's locale, then the
// browser's languages, then the site's default, then English.
func TestLanguageChoice(t *testing.T) {
	sh := newShop(t)
	get := func(path, accept string) (string, string) {
		req, _ := http.NewRequest("GET", sh.front+path, nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		storetest.Must(t, err, "GET %s", path)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		m := regexp.MustCompile(`<html lang="([^"]+)" dir="(\w+)"`).FindStringSubmatch(string(b))
		if m == nil || resp.Header.Get("Content-Language") != m[1] {
			t.Fatalf("%s: no <html lang> or Content-Language %q: %.200s", path, resp.Header.Get("Content-Language"), b)
		}
		return m[1], m[2]
	}
	plain := sh.create(`{"amount":100,"currency":"EUR","externalReference":"l-1"}`)
	withLocale := sh.create(`{"amount":100,"currency":"EUR","externalReference":"l-2","locale":"fr"}`)
	path := func(co map[string]any) string {
		u := co["paymentUrl"].(string)
		return u[strings.Index(u, "/checkout/"):]
	}
	for _, tc := range []struct {
		path, accept, want, dir string
	}{
		{path(plain), "", "en", "ltr"},
		{path(plain), "de-AT,de;q=0.9", "de-AT", "ltr"},
		{path(plain), "ko,ar;q=0.5", "ar", "rtl"},
		{path(plain) + "?lg=ja", "de", "ja", "ltr"},
		{path(withLocale), "de", "fr", "ltr"},
		{path(withLocale) + "?lg=sv", "de", "sv", "ltr"},
		{path(withLocale) + "?lg=tlh", "", "fr", "ltr"},
		{"/checkout/nope", "pl", "pl", "ltr"},
	} {
		if got, dir := get(tc.path, tc.accept); got != tc.want || dir != tc.dir {
			t.Errorf("%s with %q: %s %s; want %s %s", tc.path, tc.accept, got, dir, tc.want, tc.dir)
		}
	}
	// The site's language serves buyers whose browser names none we speak.
	de := "de"
	_, err := sh.s.UpdateSite(context.Background(), sh.r.Organization.ID, sh.r.Site.ID, store.SiteSettings{DefaultLanguage: &de})
	storetest.Must(t, err, "site language")
	if got, _ := get(path(plain), "ko"); got != "de" {
		t.Errorf("site default: %s", got)
	}
	if got, _ := get(path(plain), "it"); got != "it" {
		t.Errorf("the browser's language before the site's: %s", got)
	}
	// Times in the site's time zone (the page's script uses the buyer's).
	zone := "Europe/Berlin"
	_, err = sh.s.UpdateSite(context.Background(), sh.r.Organization.ID, sh.r.Site.ID, store.SiteSettings{TimeZone: &zone})
	storetest.Must(t, err, "site zone")
	resp, err := http.Get(sh.front + path(plain))
	storetest.Must(t, err, "page")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !regexp.MustCompile(`data-local>[^<]*(CET|CEST)</time>`).Match(b) {
		t.Errorf("the expiry is not written in the site's time zone: %s", regexp.MustCompile(`<time[^>]*>[^<]*</time>`).Find(b))
	}
}

// TestPageWeight: the page's own HTML, CSS and scripts stay under 30 KB
// before compression, the servers compress them, and the page has a
// favicon.
func TestPageWeight(t *testing.T) {
	sh := newShop(t)
	sh.addWire()
	co := sh.create(`{"amount":4900,"currency":"EUR","externalReference":"w-1","items":[{"name":"Tea","quantity":2,"unitPrice":2450,"vatRate":19}]}`)
	fetch := func(url string, gz bool) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", url, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "br, gzip")
		}
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		storetest.Must(t, err, "GET %s", url)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	_, page := fetch(co["paymentUrl"].(string), false)
	total := len(page)
	assets := regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(string(page), -1)
	if len(assets) < 3 {
		t.Fatalf("assets %v", assets)
	}
	for _, a := range assets {
		resp, b := fetch(sh.front+a[1], false)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", a[1], resp.StatusCode)
		}
		total += len(b)
		if strings.HasSuffix(a[1], ".svg") && resp.Header.Get("Content-Type") != "image/svg+xml" {
			t.Errorf("favicon served as %q", resp.Header.Get("Content-Type"))
		}
		if cresp, cb := fetch(sh.front+a[1], true); !strings.HasSuffix(a[1], ".svg") && (cresp.Header.Get("Content-Encoding") != "br" || len(cb) >= len(b)) {
			t.Errorf("%s not compressed: %q, %d of %d bytes", a[1], cresp.Header.Get("Content-Encoding"), len(cb), len(b))
		}
	}
	if total > 30<<10 {
		t.Errorf("the page weighs %d bytes with its CSS and scripts; the budget is 30 KB", total)
	}
	t.Logf("page, CSS and scripts: %d bytes", total)
	if !strings.Contains(string(page), `rel="icon"`) {
		t.Error("no favicon")
	}
	if resp, b := fetch(co["paymentUrl"].(string), true); resp.Header.Get("Content-Encoding") != "br" || len(b) > len(page)/2 {
		t.Errorf("the page is not compressed: %q, %d bytes", resp.Header.Get("Content-Encoding"), len(b))
	}
}

// TestRequiredEmail: a site that requires the buyer's email refuses a card
// form without one, beside the field, and keeps the one given.
func TestRequiredEmail(t *testing.T) {
	sh := newShop(t)
	yes := true
	_, err := sh.s.UpdateSite(context.Background(), sh.r.Organization.ID, sh.r.Site.ID, store.SiteSettings{RequireEmail: &yes})
	storetest.Must(t, err, "site")
	co := sh.create(`{"amount":1500,"currency":"EUR","externalReference":"e-1"}`)
	u := co["paymentUrl"].(string)
	path := u[strings.Index(u, "/checkout/"):] + "/pay"
	card := url.Values{"provider": {sh.r.Provider.ID}, "attempt": {"a1"}, "number": {"4242424242424242"}, "expiry": {"12/34"},
		"cvc": {"123"}, "name": {"Ana Ruiz"}}
	st, body := sh.postForm(path, card)
	if st != 422 || !strings.Contains(body, `id="email-error"`) || !strings.Contains(body, "your receipt goes there") ||
		!strings.Contains(body, `aria-describedby="email-error"`) {
		t.Fatalf("without an email: %d", st)
	}
	card.Set("email", "ana@example.com")
	if st, _ := sh.postForm(path, card); st != http.StatusSeeOther {
		t.Fatalf("with an email: %d", st)
	}
	c, _ := sh.s.GetCheckout(context.Background(), sh.r.Organization.ID, co["id"].(string))
	if c.Status != "complete" || c.Transactions[0].BillingAddress == nil || c.Transactions[0].BillingAddress.Email != "ana@example.com" {
		t.Fatalf("paid %s with %+v", c.Status, c.Transactions[0].BillingAddress)
	}
}
