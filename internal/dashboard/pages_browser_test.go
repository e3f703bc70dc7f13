package dashboard_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pgw/pgw/internal/browsertest"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/customdomain"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// TestBrowserEveryPageFits opens every page of the dashboard as an admin and
// saves its screenshots: none may be wider than a 1280 or a 390 px window
// (tables scroll inside their box; the page itself does not).
func TestBrowserEveryPageFits(t *testing.T) {
	ctx := browsertest.New(t)
	w := newWorld(t, storetest.Open(t, store.SQLite))
	co, _ := w.paid(w.acme, "fits-1")
	// The site page with its domains card: a long name, verified and primary.
	d := &customdomain.Domain{ID: "dom_fits", OrganizationID: w.acme.Organization.ID, SiteID: w.acme.Site.ID,
		Hostname: "checkout-payments-for-customers.a-rather-long-shop-name.example", Token: "pgw-verify=" + strings.Repeat("x", 32),
		Status: customdomain.Pending, Primary: true, CreatedAt: time.Now()}
	storetest.Must(t, w.s.CreateDomain(t.Context(), d), "domain")
	storetest.Must(t, w.s.SetDomainStatus(t.Context(), d, customdomain.Verified, "", time.Now()), "verify")
	signInAs(t, ctx, w, "admin")
	for name, path := range map[string]string{
		"overview": "/dashboard/overview", "checkouts": "/dashboard/checkouts", "checkout": "/dashboard/checkouts/" + co,
		"transactions": "/dashboard/transactions", "links": "/dashboard/links", "link-new": "/dashboard/links/new",
		"reusable-new": "/dashboard/links/reusable/new", "sites": "/dashboard/sites", "site": "/dashboard/sites/" + w.acme.Site.ID,
		"bank": "/dashboard/bank", "holds": "/dashboard/holds", "tax": "/dashboard/tax", "mail": "/dashboard/mail",
		"keys": "/dashboard/keys", "users": "/dashboard/users", "account": "/dashboard/account",
		"clients": "/dashboard/clients?mode=test", "client": "/dashboard/clients/" + checkout.ClientKey(w.acme.Organization.ID, "", "buyer@example.com", nil) + "?mode=test",
	} {
		storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(w.admin+path), chromedp.WaitVisible(chromedp.CSS("main h1"))), "open %s", path)
		browsertest.NoOverflow(t, ctx, name)
		browsertest.Screens(t, ctx, shotsDir(t), "dashboard-"+name)
	}
}
