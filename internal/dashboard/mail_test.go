package dashboard_test

import (
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
