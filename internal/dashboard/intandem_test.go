package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/adapter/intandem"
	"github.com/pgw/pgw/internal/adapter/intandem/intandemtest"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// inTandem's disconnect link is confirmed by a signed-in admin of the site's
// organization, with a cross-origin protected POST, and goes back only to an
// inTandem origin of the connection.
func TestIntandemDisconnectConfirmed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s, func(c *config.Config) { c.Notify.AllowPrivateTargets = true })
		fake := intandemtest.New(t, "biz-token")
		ctx := context.Background()
		now := store.TimeNow()
		storetest.Must(t, intandem.NewData(s).SaveConnection(ctx, &intandem.Connection{
			SiteID: w.acme.Site.ID, OrganizationID: w.acme.Organization.ID, APIBase: fake.URL, BusinessUID: "biz-7",
			Token: "biz-token", FrameOrigins: "https://app.vcita.com", AppName: "pgw", Mode: checkout.ModeTest,
			Connected: true, CreatedAt: now, UpdatedAt: now,
		}), "connect")
		link := "/dashboard/intandem/disconnect?b_uid=biz-7&redirect_url=" + url.QueryEscape("https://app.vcita.com/apps")
		connected := func() bool {
			c, err := intandem.NewData(s).ConnectionBySite(ctx, w.acme.Site.ID)
			storetest.Must(t, err, "connection")
			return c.Connected
		}

		// Signed out: to the sign-in page, which comes back to the link.
		if r := w.client().get(link); r.status != http.StatusSeeOther || r.location != "/dashboard/signin?next="+url.QueryEscape(link) {
			t.Fatalf("signed out: %d %s", r.status, r.location)
		}
		form := url.Values{"b_uid": {"biz-7"}, "redirect_url": {"https://app.vcita.com/apps"}}
		if r := w.signIn("viewer").post("/dashboard/intandem/disconnect", form); r.status != http.StatusForbidden {
			t.Fatalf("a viewer disconnects: %d", r.status)
		}
		other := w.signIn("other")
		if r := other.get(link); r.status != http.StatusNotFound {
			t.Fatalf("another organization's admin sees the confirmation: %d", r.status)
		}
		if r := other.post("/dashboard/intandem/disconnect", form); r.status != http.StatusNotFound {
			t.Fatalf("another organization's admin disconnects: %d", r.status)
		}
		admin := w.signIn("admin")
		page := admin.get(link)
		if page.status != 200 || !strings.Contains(page.body, `name="b_uid" value="biz-7"`) || !strings.Contains(page.body, "Disconnect inTandem business biz-7") {
			t.Fatalf("confirmation: %d %s", page.status, page.body)
		}
		if bad := admin.get("/dashboard/intandem/disconnect?b_uid=biz-7&redirect_url=https%3A%2F%2Fevil.example%2F"); bad.status != http.StatusBadRequest {
			t.Fatalf("a foreign redirect_url: %d", bad.status)
		}
		// A form on another site posting with the admin's cookie is refused.
		req, _ := http.NewRequest("POST", w.admin+"/dashboard/intandem/disconnect", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
		if r := admin.do(req); r.status != http.StatusForbidden {
			t.Fatalf("cross-origin disconnect: %d", r.status)
		}
		if !connected() || len(fake.Settings()) != 0 {
			t.Fatal("something was disconnected before the admin confirmed")
		}
		r := admin.post("/dashboard/intandem/disconnect", form)
		if r.status != http.StatusSeeOther || r.location != "https://app.vcita.com/apps" {
			t.Fatalf("confirmed disconnect: %d %s", r.status, r.location)
		}
		if st := fake.Settings(); connected() || len(st) != 1 || st[0]["external_pgw_connected"] != false {
			t.Fatalf("after the disconnect: connected %v, settings %v", connected(), st)
		}
	})
}
