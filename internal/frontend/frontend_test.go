package frontend_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

var ctx = context.Background()

// site is a frontend on loopback over a store with one bootstrapped site.
type site struct {
	t   *testing.T
	s   *store.Store
	srv *httptest.Server
	r   *store.BootstrapResult
}

func newSite(t *testing.T, s *store.Store, name string, configure ...func(*config.Config)) *site {
	cfg := &config.Config{}
	for _, fn := range configure {
		fn(cfg)
	}
	srv := httptest.NewServer(app.Frontend(cfg, s, slog.New(slog.DiscardHandler)).Handler)
	t.Cleanup(srv.Close)
	r, err := store.Bootstrap(ctx, s, store.BootstrapInput{Org: "O " + name, Site: name})
	storetest.Must(t, err, "bootstrap")
	return &site{t: t, s: s, srv: srv, r: r}
}

func (st *site) checkout(mode checkout.Mode, body string) *checkout.Checkout {
	st.t.Helper()
	req := &checkout.CreateRequest{}
	storetest.Must(st.t, decode(body, req), "decode")
	c, err := checkout.Build(req, checkout.Settings{OrganizationID: st.r.Organization.ID, SiteID: st.r.Site.ID,
		Mode: mode, Source: checkout.SourceAPI, DefaultExpiry: time.Hour, MaxAmount: 1e12}, store.TimeNow())
	storetest.Must(st.t, err, "build")
	storetest.Must(st.t, st.s.CreateCheckout(ctx, c, nil), "create")
	return c
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (st *site) get(path string) (*http.Response, string) {
	st.t.Helper()
	resp, err := noRedirect.Get(st.srv.URL + path)
	storetest.Must(st.t, err, "GET %s", path)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// post submits the payment form the way a browser on our page does.
func (st *site) post(path string, form url.Values, headers ...string) (*http.Response, string) {
	st.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, st.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", st.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := noRedirect.Do(req)
	storetest.Must(st.t, err, "POST %s", path)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var hiddenRE = regexp.MustCompile(`name="(provider|attempt)" value="([^"]+)"`)

// form returns the hidden fields of the rendered page plus a card.
func form(page, number string) url.Values {
	v := url.Values{"number": {number}, "expiry": {"12 / 34"}, "cvc": {"123"}, "name": {"Ana Ruiz"}}
	for _, m := range hiddenRE.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], m[2])
	}
	return v
}

func TestPageContentAndHeaders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		st := newSite(t, s, "Kaffee & Co")
		color, corner, font := "#0f766e", "pill", "serif"
		_, err := s.UpdateSite(ctx, st.r.Organization.ID, st.r.Site.ID, store.SiteSettings{PrimaryColor: &color, CornerStyle: &corner, Font: &font})
		storetest.Must(t, err, "branding")
		c := st.checkout(checkout.ModeTest, `{"amount":11900,"currency":"EUR","locale":"de-DE","externalReference":"<script>alert(1)</script>",
			"cancelUrl":"https://shop.example/cart?tx={transactionId}",
			"items":[{"name":"<script>alert(1)</script>","quantity":2,"unitPrice":5000,"vatRate":19},{"name":"Versand","unitPrice":1900,"vatRate":19}]}`)
		resp, body := st.get("/checkout/" + c.ShortCode)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		for _, want := range []string{"Kaffee &amp; Co", "&lt;script&gt;alert(1)&lt;/script&gt;", "119,00\u00a0€", "100,00\u00a0€",
			"50,00\u00a0€", "MwSt. 19 %", "19,00\u00a0€", "100,00\u00a0€", `lang="de-DE"`, "Testmodus", `id="card-form"`,
			"--brand:#0f766e", "--radius:22px", "Georgia", `href="https://shop.example/cart?tx="`, "119,00\u00a0€ zahlen"} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if strings.Contains(body, "<script>") {
			t.Fatal("unescaped script in page")
		}
		csp := resp.Header.Get("Content-Security-Policy")
		nonce := regexp.MustCompile(`'nonce-([^']+)'`).FindStringSubmatch(csp)
		if nonce == nil || !strings.Contains(body, `<style nonce="`+nonce[1]+`">`) || strings.Contains(csp, "unsafe") ||
			!strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") {
			t.Fatalf("CSP %q does not match the page", csp)
		}
		_, again := st.get("/checkout/" + c.ShortCode)
		if strings.Contains(again, nonce[1]) {
			t.Fatal("nonce reused across responses")
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
			if resp.Header.Get(h) != want {
				t.Errorf("%s = %q", h, resp.Header.Get(h))
			}
		}
		// The page's own HTML and CSS stay within the 50 KB budget.
		css := regexp.MustCompile(`href="(/static/[^"]+)"`).FindStringSubmatch(body)
		cssResp, cssBody := st.get(css[1])
		if cssResp.StatusCode != 200 || !strings.Contains(cssResp.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("stylesheet: %d %v", cssResp.StatusCode, cssResp.Header)
		}
		if size := len(body) + len(cssBody); size > 50_000 {
			t.Fatalf("page is %d bytes", size)
		}

		// Zero- and three-decimal currencies; a live checkout offers no sandbox.
		jpy := st.checkout(checkout.ModeLive, `{"amount":7376,"currency":"JPY","externalReference":"j"}`)
		_, body = st.get("/checkout/" + jpy.ShortCode)
		if !strings.Contains(body, "¥7,376") || strings.Contains(body, "card-form") || !strings.Contains(body, `id="no-method"`) {
			t.Fatalf("JPY live page:\n%s", body)
		}
		kwd := st.checkout(checkout.ModeTest, `{"amount":12345,"currency":"KWD","externalReference":"k"}`)
		if _, body = st.get("/checkout/" + kwd.ShortCode); !strings.Contains(body, "KWD\u00a012.345") {
			t.Fatal("KWD amount not shown with three decimals")
		}
		if resp, body := st.get("/checkout/nosuchcode12345678"); resp.StatusCode != 404 || !strings.Contains(body, "not found") {
			t.Fatalf("unknown code: %d", resp.StatusCode)
		}
	})
}

func TestPayFormFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		st := newSite(t, s, "Shop")
		c := st.checkout(checkout.ModeTest, `{"amount":4900,"currency":"EUR","externalReference":"o-1","returnUrl":"https://shop.example/ok?tx={transactionId}"}`)
		path := "/checkout/" + c.ShortCode
		pageResp, page := st.get(path)
		// Browsers apply the page's form-action to the redirect after the post.
		if csp := pageResp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://shop.example;") {
			t.Fatalf("form-action does not allow the return URL: %q", csp)
		}

		// A cross-site submission is refused before anything happens.
		resp, _ := st.post(path+"/pay", form(page, "4242424242424242"), "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site post: %d", resp.StatusCode)
		}

		resp, body := st.post(path+"/pay", form(page, "4000 0000 0000 0002"))
		if resp.StatusCode != http.StatusPaymentRequired || !strings.Contains(body, "declined") || !strings.Contains(body, `value="Ana Ruiz"`) {
			t.Fatalf("decline: %d\n%s", resp.StatusCode, body)
		}
		if strings.Contains(body, "4000 0000 0000 0002") || strings.Contains(body, "4000000000000002") {
			t.Fatal("card number echoed back")
		}
		resp, body = st.post(path+"/pay", form(body, "4242"))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "card number") {
			t.Fatalf("short number: %d", resp.StatusCode)
		}
		paidForm := form(body, "4242 4242 4242 4242")
		resp, _ = st.post(path+"/pay", paidForm)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "https://shop.example/ok?tx=txn_") {
			t.Fatalf("pay: %d %q", resp.StatusCode, loc)
		}
		txID := strings.TrimPrefix(loc, "https://shop.example/ok?tx=")

		// A replayed post (a double click) lands where the first one did; a
		// new one on the paid checkout shows the receipt. Neither pays again.
		resp, _ = st.post(path+"/pay", paidForm)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != loc {
			t.Fatalf("replay: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		paidForm.Set("attempt", "another-attempt")
		resp, _ = st.post(path+"/pay", paidForm)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
			t.Fatalf("new post on paid checkout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		got, _ := s.GetCheckout(ctx, st.r.Organization.ID, c.ID)
		if got.Status != checkout.StatusComplete || len(got.Transactions) != 2 { // the decline and the payment
			t.Fatalf("after replay: %s with %d attempts", got.Status, len(got.Transactions))
		}
		_, receipt := st.get(path)
		for _, want := range []string{"Payment received", txID, "Visa ending 4242", `href="https://shop.example/ok?tx=` + txID + `"`} {
			if !strings.Contains(receipt, want) {
				t.Errorf("receipt lacks %q", want)
			}
		}
		if strings.Contains(receipt, "card-form") {
			t.Fatal("receipt offers a form")
		}

		// An expired checkout takes nothing, whatever is posted.
		old := st.checkout(checkout.ModeTest, `{"amount":100,"currency":"EUR","externalReference":"o-2"}`)
		_, oldPage := st.get("/checkout/" + old.ShortCode)
		_, err := s.ExpireCheckout(ctx, st.r.Organization.ID, old.ID)
		storetest.Must(t, err, "expire")
		resp, _ = st.post("/checkout/"+old.ShortCode+"/pay", form(oldPage, "4242424242424242"))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("post on expired: %d", resp.StatusCode)
		}
		if _, body := st.get("/checkout/" + old.ShortCode); !strings.Contains(body, "has expired") || strings.Contains(body, "card-form") {
			t.Fatal("expired page offers payment")
		}
		got, _ = s.GetCheckout(ctx, st.r.Organization.ID, old.ID)
		if len(got.Transactions) != 0 {
			t.Fatalf("expired checkout took %d attempts", len(got.Transactions))
		}
	})
}

// Buyers paying one checkout at once: one pays; a buyer whose payment lost
// the race is told that nothing was charged.
func TestConcurrentFormPosts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		st := newSite(t, s, "Shop")
		c := st.checkout(checkout.ModeTest, `{"amount":4900,"currency":"EUR","externalReference":"race"}`)
		path := "/checkout/" + c.ShortCode
		_, page := st.get(path)
		const n = 12
		type answer struct {
			status int
			loc    string
			body   string
		}
		answers := make(chan answer, n)
		var wg sync.WaitGroup
		for i := range n {
			f := form(page, "4242424242424242")
			f.Set("attempt", fmt.Sprint("buyer-", i))
			wg.Go(func() {
				resp, body := st.post(path+"/pay", f)
				answers <- answer{resp.StatusCode, resp.Header.Get("Location"), body}
			})
		}
		wg.Wait()
		close(answers)
		lost := 0
		for a := range answers {
			switch {
			case a.status == http.StatusSeeOther && a.loc == path:
				// Paid, or arrived after the payment and sent to the receipt.
			case a.status == http.StatusConflict && strings.Contains(a.body, "not charged"):
				lost++
			default:
				t.Fatalf("answer %d %q: %s", a.status, a.loc, a.body)
			}
		}
		got, _ := s.GetCheckout(ctx, st.r.Organization.ID, c.ID)
		paid := 0
		for _, tx := range got.Transactions {
			if tx.Status == checkout.TxSucceeded {
				paid++
			}
		}
		if got.Status != checkout.StatusComplete || paid != 1 || lost != len(got.Transactions)-1 {
			t.Fatalf("status %s, %d paid of %d attempts, %d told they lost", got.Status, paid, len(got.Transactions), lost)
		}
		evs, _ := s.EventsFor(ctx, c.ID)
		if len(evs) != 1 {
			t.Fatalf("%d checkout events", len(evs))
		}
	})
}

func BenchmarkRenderCheckoutPage(b *testing.B) {
	s := storetest.Open(b, store.SQLite)
	srv := app.Frontend(&config.Config{}, s, slog.New(slog.DiscardHandler)).Handler
	r, _ := store.Bootstrap(ctx, s, store.BootstrapInput{Org: "b", Site: "b"})
	req := &checkout.CreateRequest{}
	decode(`{"amount":11900,"currency":"EUR","externalReference":"b","items":[{"name":"A","quantity":2,"unitPrice":5000,"vatRate":19},{"name":"B","unitPrice":1900,"vatRate":7}]}`, req)
	c, _ := checkout.Build(req, checkout.Settings{OrganizationID: r.Organization.ID, SiteID: r.Site.ID, Mode: checkout.ModeTest,
		Source: checkout.SourceAPI, DefaultExpiry: time.Hour, MaxAmount: 1e12}, store.TimeNow())
	s.CreateCheckout(ctx, c, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/checkout/"+c.ShortCode, nil))
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
