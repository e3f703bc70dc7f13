package adminapi_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/mail/mailpittest"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestMailSettingsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		mp := mailpittest.Start(t)
		e := newEnv(t, s)
		path := "/api/v1/organizations/settings/mail"
		expect(t, e.do("GET", path, e.a.Token, ""), 404, "not_found")
		expect(t, e.do("POST", path+"/test", e.a.Token, `{"to":"ops@example.com","siteId":"`+e.a.Site.ID+`"}`), 422, "mail_not_configured")
		for body, field := range map[string]string{
			`{"host":"","port":25,"tls":"none","from":"a@b.example"}`:                "host",
			`{"host":"smtp.example","port":70000,"tls":"none","from":"a@b.example"}`: "port",
			`{"host":"smtp.example","port":25,"tls":"ssl","from":"a@b.example"}`:     "tls",
			`{"host":"smtp.example","port":25,"tls":"none","from":"not an address"}`: "from",
		} {
			if r := e.do("PUT", path, e.a.Token, body); r.status != 422 || r.body["field"] != field {
				t.Errorf("%s: %d %v; want 422 at %s", body, r.status, r.body["field"], field)
			}
		}
		good := `{"host":"` + mp.Host + `","port":` + strconv.Itoa(mp.Port) + `,"tls":"none","username":"u","password":"pw-secret","from":"Shop <pay@shop.example>","receipts":true,"alerts":false}`
		r := e.do("PUT", path, e.a.Token, good)
		expect(t, r, 200, "")
		if r.body["passwordSet"] != true || strings.Contains(string(r.raw), "pw-secret") || r.body["alerts"] != false {
			t.Fatalf("settings %s", r.raw)
		}
		// Another organization has none; a bad recipient is refused.
		expect(t, e.do("GET", path, e.b.Token, ""), 404, "not_found")
		expect(t, e.do("POST", path+"/test", e.a.Token, `{"to":"nope","siteId":"`+e.a.Site.ID+`"}`), 422, "validation_error")
		expect(t, e.do("POST", path+"/test", e.a.Token, `{"to":"ops@example.com","siteId":"`+e.b.Site.ID+`"}`), 404, "not_found")
		expect(t, e.do("POST", path+"/test", e.a.Token, `{"to":"ops@example.com","siteId":"`+e.a.Site.ID+`"}`), 200, "")
		if ms := mp.Wait(t, 1); len(ms) != 1 || ms[0].To[0].Address != "ops@example.com" {
			t.Fatalf("mailpit %+v", ms)
		}
		// A server that does not answer: 502 with the reason.
		bad := strings.Replace(good, `"port":`+strconv.Itoa(mp.Port), `"port":1`, 1)
		expect(t, e.do("PUT", path, e.a.Token, bad), 200, "")
		expect(t, e.do("POST", path+"/test", e.a.Token, `{"to":"ops@example.com","siteId":"`+e.a.Site.ID+`"}`), 502, "mail_failed")
	})
}
