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
		e := newEnv(t, s, func(c *config.Config) { c.Domains.Resolver = ns.Addr })
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
		for _, bad := range []string{"secure.example.com", "203.0.113.9", "localhost", "bad_name.example", ""} {
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
