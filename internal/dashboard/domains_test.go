package dashboard_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/customdomain/dnstest"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestSiteDomains(t *testing.T) {
	ns := dnstest.Start(t)
	w := newWorld(t, storetest.Open(t, store.SQLite), func(c *config.Config) {
		c.Domains.Resolver = ns.Addr
		c.URLs.MainFrontend = "https://secure.acme-pay.example"
	})
	admin := w.signIn("admin")
	site := "/dashboard/sites/" + w.acme.Site.ID
	if r := admin.post(site+"/domains", url.Values{"hostname": {"Pay.Acme.Example"}}); r.status != http.StatusSeeOther {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	page := admin.get(site)
	if !strings.Contains(page.body, "pay.acme.example CNAME secure.acme-pay.example") || !strings.Contains(page.body, "_pgw-verify.pay.acme.example TXT pgw-verify=") {
		t.Fatalf("the site page does not show the records")
	}
	id := page.body[strings.Index(page.body, "/dashboard/domains/")+len("/dashboard/domains/"):]
	id = id[:strings.Index(id, "/")]
	admin.post("/dashboard/domains/"+id+"/verify", nil)
	if page := admin.get(site); !strings.Contains(page.body, "is not verified") || !strings.Contains(page.body, ">failed<") {
		t.Error("an unverified domain is not said so")
	}
	ns.CNAME("pay.acme.example", "secure.acme-pay.example")
	admin.post("/dashboard/domains/"+id+"/verify", nil)
	if page := admin.get(site); !strings.Contains(page.body, "pay.acme.example is verified.") || !strings.Contains(page.body, ">verified<") {
		t.Errorf("a verified domain is not said so: %s", page.body[strings.Index(page.body, "alert"):][:300])
	}
	// Primary: the site's payment URLs move to it.
	if r := w.signIn("viewer").post("/dashboard/domains/"+id+"/primary", url.Values{"primary": {"true"}}); r.status != http.StatusForbidden {
		t.Errorf("a viewer chooses the primary domain: %d", r.status)
	}
	if r := w.signIn("other").post("/dashboard/domains/"+id+"/primary", url.Values{"primary": {"true"}}); r.status != http.StatusNotFound {
		t.Errorf("another organization chooses the primary domain: %d", r.status)
	}
	before := w.createCheckout(w.acme, "before-primary")
	if page := admin.get("/dashboard/checkouts/" + before); !strings.Contains(page.body, "https://secure.acme-pay.example/checkout/") {
		t.Error("a checkout's payment URL is not on our own host before a primary domain is chosen")
	}
	admin.post("/dashboard/domains/"+id+"/primary", url.Values{"primary": {"true"}})
	if page := admin.get(site); !strings.Contains(page.body, "Payment URLs are now on pay.acme.example.") || !strings.Contains(page.body, `class="primary-domain"`) ||
		!strings.Contains(page.body, "Stop using for payment URLs") {
		t.Error("the primary domain is not said so")
	}
	for _, ck := range []string{before, w.createCheckout(w.acme, "after-primary")} {
		if page := admin.get("/dashboard/checkouts/" + ck); !strings.Contains(page.body, "https://pay.acme.example/checkout/") {
			t.Error("a checkout's payment URL is not on the primary domain")
		}
	}
	admin.post("/dashboard/domains/"+id+"/primary", url.Values{"primary": {"false"}})
	if page := admin.get(site); !strings.Contains(page.body, "no longer the primary domain") || strings.Contains(page.body, `class="primary-domain"`) {
		t.Error("a domain no longer primary is still shown as primary")
	}
	for _, bad := range []string{"127.0.0.1", "localhost", "bad_name.example", "secure.acme-pay.example"} {
		admin.post(site+"/domains", url.Values{"hostname": {bad}})
		if page := admin.get(site); !strings.Contains(page.body, "The hostname: hostname") {
			t.Errorf("%q was not refused with a reason", bad)
		}
	}
	if r := w.signIn("viewer").post("/dashboard/domains/"+id+"/delete", nil); r.status != http.StatusForbidden {
		t.Errorf("a viewer removes a domain: %d", r.status)
	}
	if r := w.signIn("other").post("/dashboard/domains/"+id+"/delete", nil); r.status != http.StatusNotFound {
		t.Errorf("another organization removes a domain: %d", r.status)
	}
	admin.post("/dashboard/domains/"+id+"/delete", nil)
	if page := admin.get(site); strings.Contains(page.body, "pay.acme.example CNAME") {
		t.Error("the removed domain is still shown")
	}
}
