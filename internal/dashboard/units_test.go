package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tenant"
)

// The site form asks how the shop's server writes amounts; "not set" is
// offered only while nobody has chosen.
func TestSiteAmountUnits(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	w := newWorld(t, s)
	ctx := context.Background()
	if _, err := s.Bun().NewUpdate().Table("sites").Set("amount_units = ''").Where("id = ?", w.acme.Site.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	admin := w.signIn("admin")
	path := "/dashboard/sites/" + w.acme.Site.ID
	page := admin.get(path)
	if !strings.Contains(page.body, `<select id="units" name="units"`) || !strings.Contains(page.body, `<option value="" selected>Not set`) {
		t.Fatalf("site form: %s", page.body)
	}
	form := url.Values{"name": {"Acme Shop"}, "logo_url": {""}, "color": {"#4f46e5"}, "font": {"system"}, "corners": {"rounded"}, "expiry": {"1440"}}
	form.Set("units", "dollars")
	if r := admin.post(path, form); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bogus units: %d", r.status)
	}
	form.Set("units", "cents")
	if r := admin.post(path, form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	site, err := s.GetSite(ctx, w.acme.Organization.ID, w.acme.Site.ID)
	storetest.Must(t, err, "site")
	if site.AmountUnits != tenant.UnitsCents {
		t.Fatalf("units %q", site.AmountUnits)
	}
	if page := admin.get(path); strings.Contains(page.body, "Not set") || !strings.Contains(page.body, `<option value="cents" selected>`) {
		t.Fatal("the form still offers not set, or lost the choice")
	}
}
