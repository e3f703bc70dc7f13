package adminapi_test

import (
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/customdomain/dnstest"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestCustomDomains(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ns := dnstest.Start(t)
		e := newEnv(t, s, func(c *config.Config) {
			c.Domains.Resolver = ns.Addr
			c.URLs.AdminBackend, c.URLs.MainBackend = "https://api.example.com", "https://hooks.example.com:8443"
		})
		r := e.do("POST", "/api/v1/domains", e.a.Token, `{"siteId":"`+e.a.Site.ID+`","hostname":"Pay.Shop.Example"}`)
		expect(t, r, 201, "")
		id := r.body["id"].(string)
		cname, txt := r.body["cname"].(map[string]any), r.body["txt"].(map[string]any)
		if r.body["hostname"] != "pay.shop.example" || r.body["status"] != "pending" || cname["value"] != "secure.example.com" ||
			txt["name"] != "_pgw-verify.pay.shop.example" || !strings.HasPrefix(txt["value"].(string), "pgw-verify=") {
			t.Fatalf("created %s", r.raw)
		}
		r = e.do("POST", "/api/v1/domains/"+id+"/verify", e.a.Token, "")
		if expect(t, r, 200, ""); r.body["status"] != "failed" || !strings.Contains(r.body["reason"].(string), "no CNAME") {
			t.Fatalf("unverified %s", r.raw)
		}
		ns.CNAME("pay.shop.example", "secure.example.com")
		r = e.do("POST", "/api/v1/domains/"+id+"/verify", e.a.Token, "")
		if expect(t, r, 200, ""); r.body["status"] != "verified" || r.body["verifiedAt"] == nil {
			t.Fatalf("verified %s", r.raw)
		}
		// Another organization may claim it, but not verify it while ours is.
		r = e.do("POST", "/api/v1/domains", e.b.Token, `{"siteId":"`+e.b.Site.ID+`","hostname":"pay.shop.example"}`)
		expect(t, r, 201, "")
		expect(t, e.do("POST", "/api/v1/domains/"+r.body["id"].(string)+"/verify", e.b.Token, ""), 409, "domain_taken")
		expect(t, e.do("POST", "/api/v1/domains/"+id+"/verify", e.b.Token, ""), 404, "not_found")
		// Our own host, addresses and bad names are refused; a second claim too.
		// (our other hosts too: a CNAME of one to the pages' host would verify it)
		ns.CNAME("api.example.com", "secure.example.com")
		for _, bad := range []string{"secure.example.com", "api.example.com", "HOOKS.example.com", "203.0.113.9", "localhost", "bad_name.example", ""} {
			expect(t, e.do("POST", "/api/v1/domains", e.a.Token, `{"siteId":"`+e.a.Site.ID+`","hostname":"`+bad+`"}`), 422, "validation_error")
		}
		expect(t, e.do("POST", "/api/v1/domains", e.a.Token, `{"siteId":"`+e.a.Site.ID+`","hostname":"pay.shop.example"}`), 409, "domain_taken")
		expect(t, e.do("POST", "/api/v1/domains", e.a.Token, `{"siteId":"`+e.b.Site.ID+`","hostname":"x.shop.example"}`), 404, "not_found")
		r = e.do("GET", "/api/v1/domains", e.a.Token, "")
		if expect(t, r, 200, ""); len(r.body["data"].([]any)) != 1 {
			t.Fatalf("list %s", r.raw)
		}
		if r := e.do("DELETE", "/api/v1/domains/"+id, e.a.Token, ""); r.status != 204 {
			t.Fatalf("delete %d", r.status)
		}
		expect(t, e.do("DELETE", "/api/v1/domains/"+id, e.a.Token, ""), 404, "not_found")
	})
}

// A site's paymentUrls follow its primary domain while that is verified;
// other sites' do not.
func TestPrimaryDomain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ns := dnstest.Start(t)
		e := newEnv(t, s, func(c *config.Config) { c.Domains.Resolver = ns.Addr })
		create := func() map[string]any {
			r := e.do("POST", "/api/v1/checkouts/"+e.a.Site.ID+"/create", e.a.Token, `{"amount":1250,"currency":"EUR","externalReference":"order-1"}`)
			expect(t, r, 200, "")
			return r.body
		}
		onMain := func(c map[string]any) string { return "https://secure.example.com/checkout/" + c["shortCode"].(string) }
		onShop := func(c map[string]any) string { return "https://pay.shop.example/checkout/" + c["shortCode"].(string) }

		r := e.do("POST", "/api/v1/domains", e.a.Token, `{"siteId":"`+e.a.Site.ID+`","hostname":"pay.shop.example","primary":true}`)
		if expect(t, r, 201, ""); r.body["primary"] != true {
			t.Fatalf("created %s", r.raw)
		}
		shop := r.body["id"].(string)
		// Primary but not verified yet: our own host.
		if c := create(); c["paymentUrl"] != onMain(c) {
			t.Fatalf("pending primary: %v", c["paymentUrl"])
		}
		ns.CNAME("pay.shop.example", "secure.example.com")
		expect(t, e.do("POST", "/api/v1/domains/"+shop+"/verify", e.a.Token, ""), 200, "")
		c := create()
		if c["paymentUrl"] != onShop(c) {
			t.Fatalf("verified primary: %v", c["paymentUrl"])
		}
		// Reading and listing say the same; so does a payment link's URL.
		if g := e.do("GET", "/api/v1/checkouts/"+c["id"].(string), e.a.Token, ""); g.body["paymentUrl"] != onShop(c) {
			t.Fatalf("get: %s", g.raw)
		}
		if l := e.do("GET", "/api/v1/checkouts?limit=1", e.a.Token, ""); l.body["data"].([]any)[0].(map[string]any)["paymentUrl"] != onShop(c) {
			t.Fatalf("list: %s", l.raw)
		}
		pl := e.do("POST", "/api/v1/payment-links", e.a.Token, `{"siteId":"`+e.a.Site.ID+`","name":"Tea","currency":"EUR","items":[{"name":"Tea","unitPrice":500,"quantity":1}]}`)
		if expect(t, pl, 201, ""); pl.body["url"] != "https://pay.shop.example/l/"+pl.body["code"].(string) {
			t.Fatalf("payment link: %s", pl.raw)
		}
		// The other organization's site is untouched.
		other := e.do("POST", "/api/v1/checkouts/"+e.b.Site.ID+"/create", e.b.Token, `{"amount":1250,"currency":"EUR","externalReference":"order-1"}`)
		if expect(t, other, 200, ""); other.body["paymentUrl"] != onMain(other.body) {
			t.Fatalf("other organization: %v", other.body["paymentUrl"])
		}

		// A second domain made primary takes over; the first is no longer.
		r = e.do("POST", "/api/v1/domains", e.a.Token, `{"siteId":"`+e.a.Site.ID+`","hostname":"checkout.shop.example"}`)
		expect(t, r, 201, "")
		second := r.body["id"].(string)
		if r = e.do("PUT", "/api/v1/domains/"+second, e.a.Token, `{"primary":true}`); r.body["primary"] != true {
			t.Fatalf("second primary: %s", r.raw)
		}
		list := e.do("GET", "/api/v1/domains", e.a.Token, "").body["data"].([]any)
		if list[0].(map[string]any)["primary"] != false || list[1].(map[string]any)["primary"] != true {
			t.Fatalf("after the switch: %v", list)
		}
		// checkout.shop.example is not verified: back on our own host.
		if c := create(); c["paymentUrl"] != onMain(c) {
			t.Fatalf("unverified primary: %v", c["paymentUrl"])
		}
		// Back to the first, then its record goes away: suspended, our own host.
		expect(t, e.do("PUT", "/api/v1/domains/"+shop, e.a.Token, `{"primary":true}`), 200, "")
		if c := create(); c["paymentUrl"] != onShop(c) {
			t.Fatalf("primary again: %v", c["paymentUrl"])
		}
		ns.CNAME("pay.shop.example", "")
		if r := e.do("POST", "/api/v1/domains/"+shop+"/verify", e.a.Token, ""); r.body["status"] != "suspended" {
			t.Fatalf("suspended: %s", r.raw)
		}
		if c := create(); c["paymentUrl"] != onMain(c) {
			t.Fatalf("suspended primary: %v", c["paymentUrl"])
		}
		// Not primary at all.
		if r := e.do("PUT", "/api/v1/domains/"+shop, e.a.Token, `{"primary":false}`); r.body["primary"] != false {
			t.Fatalf("unset: %s", r.raw)
		}

		expect(t, e.do("PUT", "/api/v1/domains/"+shop, e.a.Token, `{}`), 422, "validation_error")
		expect(t, e.do("PUT", "/api/v1/domains/"+shop, e.a.Token, `{"primary":"yes"}`), 400, "invalid_json")
		expect(t, e.do("PUT", "/api/v1/domains/"+shop, e.b.Token, `{"primary":true}`), 404, "not_found")
		expect(t, e.do("PUT", "/api/v1/domains/dom_nope", e.a.Token, `{"primary":true}`), 404, "not_found")
	})
}
