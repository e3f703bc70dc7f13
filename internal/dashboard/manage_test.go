package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/adapter/intandem"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func linkForm(site, ref, email, price string) url.Values {
	return url.Values{"site": {site}, "currency": {"EUR"}, "mode": {"test"}, "reference": {ref}, "email": {email},
		"expires_in": {"60"}, "item_name": {"Desk", ""}, "item_qty": {"1", "1"}, "item_price": {price, ""}}
}

func TestPaymentLinkValidation(t *testing.T) {
	w := newWorld(t, storetest.Open(t, store.SQLite))
	editor := w.signIn("editor")
	site := w.acme.Site.ID
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"no reference", linkForm(site, "", "", "10"), "Reference"},
		{"bad email", linkForm(site, "R-1", "not an email", "10"), "Buyer&#39;s email"},
		{"bad price", linkForm(site, "R-1", "", "ten"), "unit price must be a positive amount"},
		{"too many decimals", linkForm(site, "R-1", "", "10.001"), "unit price must be a positive amount"},
		{"no items", func() url.Values { f := linkForm(site, "R-1", "", ""); f["item_name"] = []string{"", ""}; return f }(), "at least one item"},
		{"bad return URL", func() url.Values {
			f := linkForm(site, "R-1", "", "10")
			f.Set("return_url", "javascript:alert(1)")
			return f
		}(), "Return URL"},
		{"bad expiry", func() url.Values { f := linkForm(site, "R-1", "", "10"); f.Set("expires_in", "0"); return f }(), "Expiry"},
		{"unknown site", linkForm("site_nope", "R-1", "", "10"), "Choose one of your sites"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := editor.post("/dashboard/links", tc.form)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tc.want) {
				t.Fatalf("%d, want 422 naming %q: %s", r.status, tc.want, r.body[strings.Index(r.body, "<main"):])
			}
			if ref := tc.form.Get("reference"); ref != "" && !strings.Contains(r.body, `value="`+ref+`"`) {
				t.Fatal("the form lost what was entered")
			}
		})
	}
	list, total, err := w.s.ListCheckouts(context.Background(), store.CheckoutFilter{OrganizationID: w.acme.Organization.ID, Page: 1, Limit: 10})
	storetest.Must(t, err, "list")
	if total != 0 {
		t.Fatalf("rejected forms made %d checkouts (%v)", total, list)
	}

	r := editor.post("/dashboard/links", linkForm(site, "R-OK", "ana@example.com", "1999.99"))
	if r.status != http.StatusCreated || !strings.Contains(r.body, `src="data:image/png;base64,`) {
		t.Fatalf("valid link: %d", r.status)
	}
	link := regexp.MustCompile(`id="link-url" readonly value="([^"]+)"`).FindStringSubmatch(r.body)
	if link == nil || !strings.HasPrefix(link[1], w.front+"/checkout/") {
		t.Fatal("no payment link in the answer")
	}
	resp, err := http.Get(link[1])
	storetest.Must(t, err, "open the link")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the payment link answers %d", resp.StatusCode)
	}
	list, _, _ = w.s.ListCheckouts(context.Background(), store.CheckoutFilter{OrganizationID: w.acme.Organization.ID, Search: "r-ok", Page: 1, Limit: 10})
	if len(list) != 1 || list[0].Amount != 199999 || list[0].Mode != checkout.ModeTest || list[0].Email != "ana@example.com" {
		t.Fatalf("the link's checkout: %+v", list)
	}
}

func TestCheckoutActions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		ctx := context.Background()
		paidID, _ := w.paid(w.acme, "paid-1")
		editor := w.signIn("editor")

		ds, _, err := s.ListDeliveries(ctx, store.DeliveryFilter{OrganizationID: w.acme.Organization.ID, CheckoutID: paidID, Page: 1, Limit: 10})
		storetest.Must(t, err, "deliveries")
		if len(ds) == 0 {
			t.Fatal("a paid checkout with an ipnUrl has no notification")
		}
		_, err = s.Bun().NewUpdate().Table("outbox_deliveries").Set("status = ?", notify.Failed).Where("id = ?", ds[0].ID).Exec(ctx)
		storetest.Must(t, err, "fail the delivery")
		page := editor.get("/dashboard/checkouts/" + paidID)
		if page.status != 200 || !strings.Contains(page.body, "https://merchant.example/ipn") || !strings.Contains(page.body, "/redeliver") {
			t.Fatalf("the checkout page does not offer the failed notification again (%d)", page.status)
		}
		if r := editor.post("/dashboard/deliveries/"+ds[0].ID+"/redeliver", nil); r.status != http.StatusSeeOther || r.location != "/dashboard/checkouts/"+paidID {
			t.Fatalf("redeliver: %d %s", r.status, r.location)
		}
		if r := editor.get("/dashboard/checkouts/" + paidID); !strings.Contains(r.body, "queued again") {
			t.Fatal("no confirmation of the redelivery")
		}
		d, err := s.GetDelivery(ctx, w.acme.Organization.ID, ds[0].ID)
		storetest.Must(t, err, "delivery")
		if d.Status != notify.Pending {
			t.Fatalf("redelivered notification is %s", d.Status)
		}

		openID := w.createCheckout(w.acme, "open-1")
		if r := editor.post("/dashboard/checkouts/"+openID+"/expire", nil); r.status != http.StatusSeeOther {
			t.Fatalf("expire: %d", r.status)
		}
		c, err := s.GetCheckout(ctx, w.acme.Organization.ID, openID)
		storetest.Must(t, err, "checkout")
		if c.Status != checkout.StatusExpired {
			t.Fatalf("expired checkout is %s", c.Status)
		}
		toCancel := w.createCheckout(w.acme, "cancel-1")
		if page := editor.get("/dashboard/checkouts/" + toCancel); !strings.Contains(page.body, `id="cancel-checkout"`) {
			t.Fatal("no cancel action on an open checkout")
		}
		if r := w.signIn("viewer").post("/dashboard/checkouts/"+toCancel+"/cancel", nil); r.status != http.StatusForbidden {
			t.Fatalf("a viewer cancels: %d", r.status)
		}
		if r := editor.post("/dashboard/checkouts/"+toCancel+"/cancel", nil); r.status != http.StatusSeeOther {
			t.Fatalf("cancel: %d", r.status)
		}
		if c, _ := s.GetCheckout(ctx, w.acme.Organization.ID, toCancel); c.Status != checkout.StatusCanceled {
			t.Fatalf("canceled checkout is %s", c.Status)
		}
		editor.post("/dashboard/checkouts/"+paidID+"/expire", nil)
		if r := editor.get("/dashboard/checkouts/" + paidID); !strings.Contains(r.body, "Only an open checkout") {
			t.Fatal("expiring a paid checkout is not refused")
		}
		if c, _ := s.GetCheckout(ctx, w.acme.Organization.ID, paidID); c.Status != checkout.StatusComplete {
			t.Fatalf("a paid checkout became %s", c.Status)
		}

		// Filters and search.
		for q, want := range map[string]string{"?status=expired": "open-1", "?status=complete": "paid-1", "?q=PAID": "paid-1", "?q=buyer%40example": "open-1"} {
			if r := editor.get("/dashboard/checkouts" + q); !strings.Contains(r.body, ">"+want+"<") {
				t.Errorf("%s does not list %s", q, want)
			}
		}
		if r := editor.get("/dashboard/checkouts?status=expired"); strings.Contains(r.body, ">paid-1<") {
			t.Error("the status filter lets a complete checkout through")
		}
	})
}

func TestSiteKeysAndUsers(t *testing.T) {
	w := newWorld(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	admin := w.signIn("admin")
	sitePath := "/dashboard/sites/" + w.acme.Site.ID

	// Stripe credentials are write-only.
	const sk, whsec = "sk_test_51Abcdefghijklmnopqrstuvwxyz0123456789", "whsec_abcdefghijklmnopqrstuvwxyz012345"
	if r := admin.post(sitePath+"/providers", url.Values{"secret_key": {"nonsense"}, "publishable_key": {"pk_test_x"}, "webhook_secret": {whsec}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad Stripe key: %d", r.status)
	}
	if r := admin.post(sitePath+"/providers", url.Values{"secret_key": {sk}, "publishable_key": {"pk_test_51Abcdef"}, "webhook_secret": {whsec}}); r.status != http.StatusSeeOther {
		t.Fatalf("add Stripe: %d", r.status)
	}
	page := admin.get(sitePath)
	if !strings.Contains(page.body, "Stripe is connected") || !strings.Contains(page.body, "pk_test_51Abcdef") {
		t.Fatal("the site page does not show the new Stripe method")
	}
	if strings.Contains(page.body, sk) || strings.Contains(page.body, whsec) {
		t.Fatal("the site page shows a Stripe secret")
	}
	ps, err := w.s.ListProviders(ctx, w.acme.Organization.ID, w.acme.Site.ID)
	storetest.Must(t, err, "providers")
	if r := admin.post(sitePath+"/providers/"+ps[0].ID, url.Values{"enabled": {"false"}}); r.status != http.StatusSeeOther {
		t.Fatalf("disable: %d", r.status)
	}
	ps, _ = w.s.ListProviders(ctx, w.acme.Organization.ID, w.acme.Site.ID)
	if ps[0].Enabled {
		t.Fatal("the provider is still enabled")
	}

	// The signing secret is shown once, when it is made.
	r := admin.post(sitePath+"/secret", nil)
	site, err := w.s.GetSite(ctx, w.acme.Organization.ID, w.acme.Site.ID)
	storetest.Must(t, err, "site")
	if r.status != 200 || site.WebhookSecret == w.acme.Site.WebhookSecret || !strings.Contains(r.body, site.WebhookSecret) {
		t.Fatalf("rotate: %d, new secret shown %v", r.status, strings.Contains(r.body, site.WebhookSecret))
	}
	if strings.Contains(admin.get(sitePath).body, site.WebhookSecret) {
		t.Fatal("the signing secret is shown again")
	}

	// An API key: shown once, works, is revoked.
	r = admin.post("/dashboard/keys", url.Values{"name": {"shop"}, "mode": {"test"}, "scope": {"checkout:read"}})
	token := regexp.MustCompile(`sk_test_[A-Za-z0-9._-]+`).FindString(r.body)
	if r.status != http.StatusCreated || token == "" {
		t.Fatalf("create key: %d", r.status)
	}
	call := func() int {
		req, _ := http.NewRequest("GET", w.admin+"/api/v1/checkouts", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		storetest.Must(t, err, "API call")
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := call(); got != 200 {
		t.Fatalf("the new key answers %d", got)
	}
	if strings.Contains(admin.get("/dashboard/keys").body, token) {
		t.Fatal("the key is shown again")
	}
	keyID := strings.SplitN(strings.TrimPrefix(token, "sk_test_"), ".", 2)[0]
	if r := admin.post("/dashboard/keys/"+keyID+"/revoke", nil); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	if got := call(); got != http.StatusUnauthorized {
		t.Fatalf("a revoked key answers %d", got)
	}

	// Users: a new one gets a password shown once; an existing one joins and switches.
	r = admin.post("/dashboard/users", url.Values{"email": {"newbie@acme.test"}, "name": {"Newbie"}, "role": {"viewer"}})
	pw := regexp.MustCompile(`id="new-password" readonly value="([^"]+)"`).FindStringSubmatch(r.body)
	if r.status != http.StatusCreated || pw == nil {
		t.Fatalf("add user: %d", r.status)
	}
	c := w.client()
	if r := c.post("/dashboard/signin", url.Values{"email": {"newbie@acme.test"}, "password": {pw[1]}}); r.status != http.StatusSeeOther {
		t.Fatalf("the new user cannot sign in: %d", r.status)
	}
	if r := admin.post("/dashboard/users", url.Values{"email": {w.emails["other"]}, "role": {"editor"}}); r.status != http.StatusSeeOther {
		t.Fatalf("add an existing user: %d", r.status)
	}
	other := w.signIn("other")
	w.createCheckout(w.acme, "acme-visible")
	if strings.Contains(other.get("/dashboard/checkouts").body, "acme-visible") {
		t.Fatal("the other organization's view shows Acme's checkout before switching")
	}
	if r := other.post("/dashboard/org", url.Values{"org": {w.acme.Organization.ID}}); r.status != http.StatusSeeOther {
		t.Fatalf("switch: %d", r.status)
	}
	if r := other.get("/dashboard/checkouts"); !strings.Contains(r.body, "acme-visible") || !strings.Contains(r.body, `<span class="badge">editor</span>`) {
		t.Fatal("after switching, Acme's checkouts are not shown with the editor role")
	}
}

func TestChangePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		here, elsewhere := w.signIn("viewer"), w.signIn("viewer")
		const next = "a much better passphrase"
		for _, tc := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"current": {"wrong"}, "new": {next}, "confirm": {next}}, "not right"},
			{url.Values{"current": {password}, "new": {"short"}, "confirm": {"short"}}, "at least 10"},
			{url.Values{"current": {password}, "new": {next}, "confirm": {next + "!"}}, "differ"},
		} {
			if r := here.post("/dashboard/account/password", tc.form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tc.want) {
				t.Fatalf("%v: %d", tc.form, r.status)
			}
		}
		if r := here.post("/dashboard/account/password", url.Values{"current": {password}, "new": {next}, "confirm": {next}}); r.status != http.StatusSeeOther {
			t.Fatalf("change: %d", r.status)
		}
		if r := here.get("/dashboard/account"); r.status != 200 || !strings.Contains(r.body, "password is changed") {
			t.Fatalf("this session after the change: %d", r.status)
		}
		if r := elsewhere.get("/dashboard/checkouts"); r.status != http.StatusSeeOther {
			t.Fatalf("another session survives the change: %d", r.status)
		}
		c := w.client()
		if r := c.post("/dashboard/signin", url.Values{"email": {w.emails["viewer"]}, "password": {password}}); r.status != http.StatusUnauthorized {
			t.Fatalf("the old password still works: %d", r.status)
		}
		if r := c.post("/dashboard/signin", url.Values{"email": {w.emails["viewer"]}, "password": {next}}); r.status != http.StatusSeeOther {
			t.Fatalf("the new password does not work: %d", r.status)
		}
	})
}

func TestIntandemOnSitePage(t *testing.T) {
	w := newWorld(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	now := store.TimeNow()
	storetest.Must(t, intandem.NewData(w.s).SaveConnection(ctx, &intandem.Connection{
		SiteID: w.acme.Site.ID, OrganizationID: w.acme.Organization.ID, APIBase: "https://intandem.example", BusinessUID: "biz-42",
		Token: "intandem-secret-token", FrameOrigins: "https://app.intandem.example", AppName: "pgw", Mode: checkout.ModeTest,
		Connected: true, CreatedAt: now, UpdatedAt: now,
	}), "connect")
	viewer, admin := w.signIn("viewer"), w.signIn("admin")
	path := "/dashboard/sites/" + w.acme.Site.ID
	page := viewer.get(path)
	if !strings.Contains(page.body, "Connected to business biz-42") || strings.Contains(page.body, "intandem-secret-token") || strings.Contains(page.body, "Disconnect inTandem") {
		t.Fatal("a viewer's site page: connection not shown, token shown, or disconnect offered")
	}
	if r := viewer.post(path+"/intandem/disconnect", nil); r.status != http.StatusForbidden {
		t.Fatalf("a viewer disconnects: %d", r.status)
	}
	if r := admin.post(path+"/intandem/disconnect", nil); r.status != http.StatusSeeOther {
		t.Fatalf("disconnect: %d", r.status)
	}
	if !strings.Contains(admin.get(path).body, "Not connected") {
		t.Fatal("the site still shows a connection")
	}
}

func TestCheckoutPages(t *testing.T) {
	w := newWorld(t, storetest.Open(t, store.SQLite))
	for i := range 30 {
		w.createCheckout(w.acme, "page-"+strconv.Itoa(i))
	}
	c := w.signIn("viewer")
	first := c.get("/dashboard/checkouts")
	if n := strings.Count(first.body, `href="/dashboard/checkouts/co_`); n != 25 || !strings.Contains(first.body, "Page 1 of 2 · 30 in all") {
		t.Fatalf("page 1 has %d rows", n)
	}
	if !strings.Contains(first.body, ">page-29<") || strings.Contains(first.body, ">page-0<") {
		t.Fatal("page 1 is not the newest")
	}
	next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(first.body)
	if next == nil {
		t.Fatal("no link to page 2")
	}
	second := c.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	if n := strings.Count(second.body, `href="/dashboard/checkouts/co_`); n != 5 || !strings.Contains(second.body, ">page-0<") || !strings.Contains(second.body, `rel="prev"`) {
		t.Fatalf("page 2 has %d rows", n)
	}
	if r := c.get("/dashboard/checkouts?page=abc&status=bogus"); r.status != http.StatusBadRequest || !strings.Contains(r.body, "The page must be") {
		t.Fatalf("bad list parameters: %d", r.status)
	}
}
