package dashboard_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pgw/pgw/internal/browsertest"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// overviewData pays two checkouts of Acme, refunds 1000 of one, and has one
// payment declined: 5000 gross, 4000 net, 2 paid, 1 failed, 3 checkouts.
func overviewData(t *testing.T, w *world) {
	t.Helper()
	_, tx := w.paid(w.acme, "ov-1")
	w.paid(w.acme, "ov-2")
	ctx := context.Background()
	_, err := payment.New(w.s).Refund(ctx, w.acme.Organization.ID, tx, 1000)
	storetest.Must(t, err, "refund")
	id := w.createCheckout(w.acme, "ov-3")
	c, err := w.s.GetCheckout(ctx, w.acme.Organization.ID, id)
	storetest.Must(t, err, "checkout")
	res, err := payment.New(w.s).Pay(ctx, c, payment.Attempt{ProviderID: w.acme.Provider.ID, AttemptKey: "ov-3",
		CardNumber: "4000000000000002", ExpMonth: 12, ExpYear: 2040, CVC: "123", CardName: "Ana Ruiz"})
	storetest.Must(t, err, "declined payment")
	if res.Outcome != payment.Declined {
		t.Fatalf("outcome %v", res.Outcome)
	}
}

// apiOverview asks the Admin API for the same period the page shows.
func apiOverview(t *testing.T, w *world, days int) map[string]any {
	t.Helper()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	q := url.Values{"currency": {"EUR"}, "from": {today.AddDate(0, 0, 1-days).Format(time.RFC3339)},
		"to": {today.AddDate(0, 0, 1).Format(time.RFC3339)}}
	req, _ := http.NewRequest("GET", w.admin+"/api/v1/dashboard?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+w.acme.Token)
	resp, err := http.DefaultClient.Do(req)
	storetest.Must(t, err, "API dashboard")
	defer resp.Body.Close()
	var m map[string]any
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&m) != nil {
		t.Fatalf("API dashboard: %d", resp.StatusCode)
	}
	return m
}

var eur = func() money.Currency { c, _ := money.ParseCurrency("EUR"); return c }()

func euros(v any) string { return money.NewFormatter("en").Format(int64(v.(float64)), eur) }

func TestOverview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		overviewData(t, w)
		api := apiOverview(t, w, 30)
		if api["grossVolume"] != float64(5000) || api["netRevenue"] != float64(4000) {
			t.Fatalf("API overview %v", api)
		}
		viewer := w.signIn("viewer")
		r := viewer.get("/dashboard/overview?range=30d&currency=EUR&mode=test")
		if r.status != 200 {
			t.Fatalf("overview %d", r.status)
		}
		counts := api["counts"].(map[string]any)
		for label, want := range map[string]string{
			"Gross volume":        euros(api["grossVolume"]),
			"Net of refunds":      euros(api["netRevenue"]),
			"Successful payments": strconv.Itoa(int(counts["succeeded"].(float64) + counts["refunded"].(float64))),
			"Failed payments":     strconv.Itoa(int(counts["failed"].(float64))),
			"Conversion":          "66.7 %",
			"Failure ratio":       "33.3 %",
		} {
			if !strings.Contains(r.body, `data-stat="`+label+`">`+want+`<`) {
				t.Errorf("%s is not %s on the page", label, want)
			}
		}
		if !strings.Contains(r.body, `role="img"`) || !strings.Contains(r.body, "Volume per day") || !strings.Contains(r.body, "2 of 3 checkouts paid") {
			t.Error("the overview has no charts or no conversion detail")
		}
		// Without a mode, an organization with only test payments sees them.
		if r := viewer.get("/dashboard/overview"); r.status != 200 || !strings.Contains(r.body, "test data") {
			t.Errorf("default overview: %d", r.status)
		}
		// Another organization sees none of it.
		other := w.signIn("other")
		if r := other.get("/dashboard/overview?range=30d&currency=EUR&mode=test"); !strings.Contains(r.body, `data-stat="Gross volume">€0.00<`) {
			t.Error("another organization sees Acme's volume")
		}
		for _, bad := range []string{"?range=year", "?currency=EURO", "?mode=staging", "?range=custom&from=2026-02-01&to=2026-01-01",
			"?from=2020-01-01&to=2026-01-01", "?range=custom&from=yesterday&to=today"} {
			if r := viewer.get("/dashboard/overview" + bad); r.status != http.StatusBadRequest || !strings.Contains(r.body, `class="alert error"`) {
				t.Errorf("overview%s: %d", bad, r.status)
			}
		}
		if r := viewer.get("/dashboard/overview?range=custom&from=2026-01-01&to=2026-01-31&currency=EUR&mode=test"); r.status != 200 || !strings.Contains(r.body, "1 Jan 2026 – 31 Jan 2026") {
			t.Errorf("a chosen range: %d", r.status)
		}
		if r := viewer.get("/dashboard"); r.status != http.StatusSeeOther || r.location != "/dashboard/overview" {
			t.Errorf("the landing page is %s", r.location)
		}
	})
}

// TestBrowserOverview reads the overview's figures in Chromium, matches them
// with the API's for the same period, and checks the page fits a phone.
func TestBrowserOverview(t *testing.T) {
	ctx := browsertest.New(t)
	w := newWorld(t, storetest.Open(t, store.SQLite))
	overviewData(t, w)
	api := apiOverview(t, w, 7)
	signInAs(t, ctx, w, "viewer")
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(w.admin+"/dashboard/overview?range=7d&currency=EUR&mode=test"),
		chromedp.WaitVisible(chromedp.ID("volume-chart-title"))), "open the overview")
	for label, want := range map[string]string{"Gross volume": euros(api["grossVolume"]), "Net of refunds": euros(api["netRevenue"])} {
		got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-stat="`+label+`"]`)))
		storetest.Must(t, err, "read %s", label)
		if got != want {
			t.Errorf("%s shows %q, the API says %q", label, got, want)
		}
	}
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#main svg rect").length`))
	storetest.Must(t, err, "count bars")
	if bars < 2 {
		t.Errorf("the charts have %d bars", bars)
	}
	screens(t, ctx, shotsDir(t), "overview")
	browsertest.NoOverflow(t, ctx, "overview")
}

// shotsDir is where screenshots go: PGW_SCREENSHOTS (CI keeps them), else the
// test's own directory.
func shotsDir(t *testing.T) string {
	if dir := os.Getenv("PGW_SCREENSHOTS"); dir != "" {
		return dir
	}
	return t.TempDir()
}

// Lists refuse a status they do not know and a page past their last, saying
// so; the key form starts from a test key that can create and read checkouts.
func TestListProblemsAndKeyDefaults(t *testing.T) {
	w := newWorld(t, storetest.Open(t, store.SQLite))
	w.paid(w.acme, "lp-1")
	admin := w.signIn("admin")
	for path, want := range map[string]string{
		"/dashboard/checkouts?status=bogus":   `&#34;bogus&#34; is not a status`,
		"/dashboard/checkouts?page=99":        "There is no page 99: the list has 1.",
		"/dashboard/checkouts?page=-1":        "The page must be a whole number from 1.",
		"/dashboard/transactions?status=paid": `&#34;paid&#34; is not a status`,
		"/dashboard/transactions?page=2":      "There is no page 2: the list has 1.",
		"/dashboard/transactions?page=two":    "The page must be a whole number from 1.",
	} {
		if r := admin.get(path); r.status != http.StatusBadRequest || !strings.Contains(r.body, want) {
			t.Errorf("%s: %d, want the message %q", path, r.status, want)
		}
	}
	for _, path := range []string{"/dashboard/checkouts?status=complete&page=1", "/dashboard/transactions?status=succeeded"} {
		if r := admin.get(path); r.status != 200 {
			t.Errorf("%s: %d", path, r.status)
		}
	}
	r := admin.get("/dashboard/keys")
	if !strings.Contains(r.body, `<option value="test" selected>`) {
		t.Error("the key form does not start on test")
	}
	checked := strings.Count(r.body, `name="scope" value="checkout:create" checked`) + strings.Count(r.body, `name="scope" value="checkout:read" checked`)
	if checked != 2 || strings.Count(r.body, " checked") != 2 {
		t.Errorf("the key form ticks %d scopes, %d of them checkout:create and checkout:read", strings.Count(r.body, " checked"), checked)
	}
}

// A checkout's page shows its metadata and when it was paid or expired; a
// refund started there comes back there and names the amount.
func TestCheckoutPageDetails(t *testing.T) {
	w := newWorld(t, storetest.Open(t, store.SQLite))
	co, tx := w.paid(w.acme, "cp-1")
	ctx := context.Background()
	editor := w.signIn("editor")
	page := editor.get("/dashboard/checkouts/" + co)
	if !strings.Contains(page.body, "<dt>Paid</dt>") || !strings.Contains(page.body, `value="/dashboard/checkouts/`+co+`"`) {
		t.Error("the paid checkout's page lacks when it was paid or the refund's way back")
	}
	r := editor.post("/dashboard/transactions/"+tx+"/refund", url.Values{"amount": {"5.00"}, "back": {"/dashboard/checkouts/" + co}})
	if r.status != http.StatusSeeOther || r.location != "/dashboard/checkouts/"+co {
		t.Fatalf("refund went to %d %s", r.status, r.location)
	}
	if page := editor.get(r.location); !strings.Contains(page.body, "Refunded €5.00 of €25.00") {
		t.Error("the refund's confirmation does not name the amount")
	}
	// A way back elsewhere is not followed.
	if r := editor.post("/dashboard/transactions/"+tx+"/refund", url.Values{"amount": {"1.00"}, "back": {"https://evil.example/"}}); r.location != "/dashboard/transactions" {
		t.Errorf("refund with a foreign way back went to %s", r.location)
	}
	// Metadata, and an expired checkout's expiry.
	id := w.createCheckoutWith(w.acme, `{"amount":100,"currency":"EUR","externalReference":"cp-2","metadata":{"cart":"c_81","channel":"pos"}}`)
	_, err := w.s.ExpireCheckout(ctx, w.acme.Organization.ID, id)
	storetest.Must(t, err, "expire")
	page = editor.get("/dashboard/checkouts/" + id)
	if !strings.Contains(page.body, "<dt>Expired</dt>") || !strings.Contains(page.body, "<dt>cart</dt><dd>c_81</dd>") {
		t.Error("the expired checkout's page lacks its expiry or metadata")
	}
}
