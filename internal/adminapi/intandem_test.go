package adminapi_test

import (
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestIntandemConnectionAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		path := "/api/v1/sites/" + e.a.Site.ID + "/intandem"
		expect(t, e.do("GET", path, e.a.Token, ""), 404, "not_found")
		body := `{"businessUid":"hbt3qhcvqdyvb5ev","accessToken":"secret-business-token-1234","frameOrigins":["https://app.vcita.com"],"mode":"live"}`
		r := e.do("PUT", path, e.a.Token, body)
		expect(t, r, 200, "")
		if r.body["apiBase"] != "https://api.vcita.biz" || r.body["accessToken"] != "…1234" || strings.Contains(string(r.raw), "secret-business") ||
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
		// Another organization can neither see nor take the business.
		expect(t, e.do("GET", path, e.b.Token, ""), 404, "not_found")
		expect(t, e.do("PUT", "/api/v1/sites/"+e.b.Site.ID+"/intandem", e.b.Token, body), 409, "conflict")
		if r := e.do("DELETE", path, e.a.Token, ""); r.status != 204 {
			t.Fatalf("delete: %d", r.status)
		}
		expect(t, e.do("GET", path, e.a.Token, ""), 404, "not_found")
	})
}
