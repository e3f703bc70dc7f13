package dashboard_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pgw/pgw/internal/browsertest"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// TestBrowserBrandingPreview: the site page frames the real payment page,
// which follows the values typed before they are saved, logo included; a
// colour too light for white text is warned about.
func TestBrowserBrandingPreview(t *testing.T) {
	w := newWorld(t, storetest.Open(t, store.SQLite))
	admin := w.signIn("admin")
	preview := "/dashboard/sites/" + w.acme.Site.ID + "/preview"
	r := admin.get(preview + "?name=Renamed+Shop&color=%23ff0000&logo_url=https%3A%2F%2Fcdn.example%2Flogo.png")
	if r.status != 200 || !strings.Contains(r.body, "Renamed Shop") || !strings.Contains(r.body, "https://cdn.example/logo.png") ||
		!strings.Contains(r.body, `id="card-form"`) {
		t.Fatalf("preview %d", r.status)
	}
	if r := admin.get(preview + "?color=javascript:alert(1)&logo_url=http://insecure.example/x.png"); strings.Contains(r.body, "insecure.example") {
		t.Error("the preview took an invalid logo")
	}
	if r := w.signIn("other").get(preview); r.status != http.StatusNotFound {
		t.Errorf("another organization previews the site: %d", r.status)
	}

	ctx := browsertest.New(t)
	signInAs(t, ctx, w, "admin")
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(w.admin+"/dashboard/sites/"+w.acme.Site.ID),
		chromedp.WaitVisible(chromedp.ID("preview"))), "open the site")
	// A light yellow: the warning shows, and the frame reloads with it.
	storetest.Must(t, chromedp.Do(ctx, js(`const c = document.getElementById("color"); c.value = "#ffee58"; c.dispatchEvent(new Event("input", {bubbles: true}))`),
		chromedp.WaitVisible(chromedp.ID("contrast-live"))), "a light colour")
	// The frame follows once the typing pauses.
	var src string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && !strings.Contains(src, "color=%23ffee58"); time.Sleep(100 * time.Millisecond) {
		var err error
		src, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("preview").src`))
		storetest.Must(t, err, "read the frame's address")
	}
	if !strings.Contains(src, "color=%23ffee58") {
		t.Fatalf("the frame shows %s", src)
	}
	browsertest.Screens(t, ctx, shotsDir(t), "dashboard-branding-preview")
}
