package adminapi_test

import (
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/adapter/intandem/intandemtest"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestIntandemConnectionAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, func(c *config.Config) { c.Notify.AllowPrivateTargets = true })
		fake := intandemtest.New(t, "secret-business-token-1234")
		fake.BusinessUID = "hbt3qhcvqdyvb5ev"
		path := "/api/v1/sites/" + e.a.Site.ID + "/intandem"
		expect(t, e.do("GET", path, e.a.Token, ""), 404, "not_found")
		body := `{"businessUid":"hbt3qhcvqdyvb5ev","accessToken":"secret-business-token-1234","frameOrigins":["https://app.vcita.com"],"mode":"live","apiBase":"` + fake.URL + `"}`
		r := e.do("PUT", path, e.a.Token, body)
		expect(t, r, 200, "")
		if r.body["apiBase"] != fake.URL || r.body["accessToken"] != "…1234" || strings.Contains(string(r.raw), "secret-business") ||
			r.body["redirectUri"] != "https://secure.example.com/intandem" || r.body["mode"] != "live" || r.body["appName"] != "pgw" {
			t.Fatalf("connection %s", r.raw)
		}
		var raw string
		storetest.Must(t, s.Bun().NewSelect().Table("intandem_connections").Column("token_enc").Scan(ctx, &raw), "raw")
		if strings.Contains(raw, "secret-business") {
			t.Fatal("token stored in clear")
		}
		got := e.do("GET", path, e.a.Token, "")
		expect(t, got, 200, "")
		for _, bad := range []string{
			`{"accessToken":"t"}`,
			`{"businessUid":"b","accessToken":""}`,
			`{"businessUid":"b","accessToken":"t","frameOrigins":["https://app.vcita.com/path"]}`,
			`{"businessUid":"b","accessToken":"t","apiBase":"ftp://x"}`,
			`{"businessUid":"b","accessToken":"t","mode":"prod"}`,
		} {
			expect(t, e.do("PUT", path, e.a.Token, bad), 422, "validation_error")
		}
		// Another organization can neither see the business nor learn that
		// someone holds it: without the business's own token it is refused
		// before any conflict is looked at.
		expect(t, e.do("GET", path, e.b.Token, ""), 404, "not_found")
		other := "/api/v1/sites/" + e.b.Site.ID + "/intandem"
		for _, claim := range []string{
			`{"businessUid":"hbt3qhcvqdyvb5ev","accessToken":"a-token-of-my-own","apiBase":"` + fake.URL + `"}`,
		} {
			r := e.do("PUT", other, e.b.Token, claim)
			expect(t, r, 422, "validation_error")
			if strings.Contains(string(r.raw), "another site") || strings.Contains(string(r.raw), "connected") {
				t.Fatalf("the refusal says the business is taken: %s", r.raw)
			}
		}
		// A token of another business cannot claim this one.
		fake.BusinessUID = "someone-else"
		expect(t, e.do("PUT", other, e.b.Token, body), 422, "validation_error")
		// The business's own token proves it: then the conflict may be told.
		fake.BusinessUID = "hbt3qhcvqdyvb5ev"
		expect(t, e.do("PUT", other, e.b.Token, body), 409, "conflict")
		// inTandem unreachable: nothing is saved.
		down := strings.Replace(body, fake.URL, "http://127.0.0.1:1", 1)
		expect(t, e.do("PUT", other, e.b.Token, down), 502, "intandem_unreachable")
		if r := e.do("DELETE", path, e.a.Token, ""); r.status != 204 {
			t.Fatalf("delete: %d", r.status)
		}
		expect(t, e.do("GET", path, e.a.Token, ""), 404, "not_found")
	})
}
