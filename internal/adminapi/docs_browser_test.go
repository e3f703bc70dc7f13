package adminapi_test

import (
	"cmp"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pgw/pgw/internal/browsertest"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// TestReferencePage opens /docs in Chromium: the reference renders the
// document's operations, and every request the page makes goes to our own
// origin.
func TestReferencePage(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	e := newEnv(t, s)
	r, err := e.client.Get(e.url + "/docs")
	storetest.Must(t, err, "GET /docs")
	r.Body.Close()
	if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("/docs %d, CSP %q", r.StatusCode, r.Header.Get("Content-Security-Policy"))
	}
	listing, err := e.client.Get(e.url + "/docs/assets/5.35.0/")
	storetest.Must(t, err, "listing")
	listing.Body.Close()
	if listing.StatusCode != http.StatusNotFound {
		t.Fatalf("the assets' directory is listed: %d", listing.StatusCode)
	}

	ctx := browsertest.New(t)
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(e.url+"/docs"), chromedp.WaitVisible(chromedp.CSS(".opblock-summary"))), "render /docs")
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("reference")))
	storetest.Must(t, err, "read the reference")
	for _, want := range []string{"pgw Admin API", "Create a checkout", "Rotate an API key's secret", "Create a checkout intent"} {
		if !strings.Contains(text, want) {
			t.Errorf("the reference does not show %q", want)
		}
	}
	// Everything the page loaded came from our own origin.
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`performance.getEntriesByType("resource").map(e => e.name)`))
	storetest.Must(t, err, "list the page's resources")
	if len(loaded) < 3 {
		t.Fatalf("the page loaded only %v", loaded)
	}
	for _, u := range loaded {
		if !strings.HasPrefix(u, e.url+"/") {
			t.Errorf("the reference fetched %s from elsewhere", u)
		}
	}
	browsertest.Screens(t, ctx, cmp.Or(os.Getenv("PGW_SCREENSHOTS"), t.TempDir()), "api-reference")
}
