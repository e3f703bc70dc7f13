package dashboard_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/mail/mailpittest"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestMailSettingsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		mp := mailpittest.Start(t)
		w := newWorld(t, s)
		admin := w.signIn("admin")
		if r := admin.get("/dashboard/mail"); r.status != 200 || !strings.Contains(r.body, "No email is sent until you save a server") {
			t.Fatalf("mail page: %d %s", r.status, r.body)
		}
		form := url.Values{"host": {mp.Host}, "port": {"0"}, "tls": {"none"}, "username": {"shop"}, "password": {"pw-123456"},
			"from": {"Acme <pay@acme.example>"}, "receipts": {"1"}, "alerts": {"1"}}
		admin.post("/dashboard/mail", form)
		if r := admin.get("/dashboard/mail"); !strings.Contains(r.body, "port is 1 to 65535") {
			t.Fatalf("a bad port was not refused: %s", r.body)
		}
		form.Set("port", strconv.Itoa(mp.Port))
		if r := admin.post("/dashboard/mail", form); r.status != http.StatusSeeOther {
			t.Fatalf("save: %d", r.status)
		}
		r := admin.get("/dashboard/mail")
		if !strings.Contains(r.body, "Saved.") || strings.Contains(r.body, "pw-123456") || !strings.Contains(r.body, "stored; leave blank to keep it") {
			t.Fatalf("after saving: %s", r.body)
		}
		// Saved again without a password: the stored one stays.
		form.Del("password")
		admin.post("/dashboard/mail", form)
		got, err := s.OrgMailSettings(t.Context(), w.acme.Organization.ID)
		if err != nil || got.Server.Password != "pw-123456" {
			t.Fatalf("the password was lost: %+v %v", got, err)
		}
		admin.post("/dashboard/mail/test", url.Values{"to": {"ops@acme.example"}, "site": {w.acme.Site.ID}})
		if r := admin.get("/dashboard/mail"); !strings.Contains(r.body, "A test email was sent to ops@acme.example") {
			t.Fatalf("test email: %s", r.body)
		}
		if ms := mp.Wait(t, 1); len(ms) != 1 || !strings.Contains(ms[0].Subject, "Test email from Acme Shop") {
			t.Fatalf("mailpit has %+v", ms)
		}
		// Viewers read but may not change or send.
		viewer := w.signIn("viewer")
		if r := viewer.post("/dashboard/mail", form); r.status != http.StatusForbidden {
			t.Fatalf("viewer saves: %d", r.status)
		}
		if r := viewer.post("/dashboard/mail/test", url.Values{"to": {"x@example.com"}, "site": {w.acme.Site.ID}}); r.status != http.StatusForbidden {
			t.Fatalf("viewer sends: %d", r.status)
		}
	})
}

// TestBrandContrast: a colour too light for white text is flagged on the
// site's page, and the hosted page uses a darker shade of it.
func TestBrandContrast(t *testing.T) {
	w := newWorld(t, storetest.Open(t, store.SQLite))
	admin := w.signIn("admin")
	site := "/dashboard/sites/" + w.acme.Site.ID
	form := url.Values{"name": {"Acme Shop"}, "logo_url": {""}, "color": {"#ffd700"}, "font": {"system"}, "corners": {"rounded"},
		"expiry": {"1440"}, "language": {"fr"}}
	if r := admin.post(site, form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	r := admin.get(site)
	if !strings.Contains(r.body, `id="contrast-warning"`) || !strings.Contains(r.body, "WCAG AA") {
		t.Fatalf("no contrast warning: %s", r.body)
	}
	got, err := w.s.GetSite(t.Context(), w.acme.Organization.ID, w.acme.Site.ID)
	if err != nil || got.DefaultLanguage != "fr" {
		t.Fatalf("site language %q, %v", got.DefaultLanguage, err)
	}
	id := w.createCheckout(w.acme, "contrast")
	c, _ := w.s.GetCheckout(t.Context(), w.acme.Organization.ID, id)
	resp, err := http.Get(c.PaymentURL(w.front))
	storetest.Must(t, err, "page")
	defer resp.Body.Close()
	b := new(strings.Builder)
	io.Copy(b, resp.Body) //nolint:errcheck // read what came
	if strings.Contains(b.String(), "--brand:#ffd700") || !strings.Contains(b.String(), "--brand:#") || !strings.Contains(b.String(), `lang="fr"`) {
		t.Fatalf("the page keeps the light colour or the site's language is not used: %.600s", b.String())
	}
	form.Set("color", "#0f766e")
	admin.post(site, form)
	if r := admin.get(site); strings.Contains(r.body, `id="contrast-warning"`) {
		t.Fatal("a dark enough colour is flagged")
	}
	form.Set("language", "tlh")
	if r := admin.post(site, form); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown language: %d", r.status)
	}
}
