package adminapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestAPIKeyManagement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		base := "/api/v1/organizations/" + e.a.Organization.ID + "/api-keys"
		// The bootstrap key manages no keys; a key given the key scopes does.
		expect(t, e.do("GET", base, e.a.Token, ""), 403, "forbidden")
		e.a.Token = keyWith(t, s, e.a.Organization.ID, checkout.ModeTest, append(auth.KeyScopes, auth.DefaultScopes...))
		e.b.Token = keyWith(t, s, e.b.Organization.ID, checkout.ModeTest, append(auth.KeyScopes, auth.DefaultScopes...))

		// Create: the secret once, the caller's scopes by default.
		r := e.do("POST", base, e.a.Token, `{"name":"orders service"}`)
		expect(t, r, 201, "")
		id, secret := r.body["id"].(string), r.body["secret"].(string)
		if !strings.HasPrefix(secret, "sk_test_"+id+".") || r.body["status"] != "active" || len(r.body["scopes"].([]any)) != len(auth.DefaultScopes)+len(auth.KeyScopes) {
			t.Fatalf("created %s", r.raw)
		}
		expect(t, e.do("GET", "/api/v1/checkouts", secret, ""), 200, "")
		r = e.do("GET", base+"/"+id, e.a.Token, "")
		if expect(t, r, 200, ""); r.body["secret"] != nil {
			t.Fatalf("a read shows the secret: %s", r.raw)
		}
		if strings.Contains(string(r.raw), secret[strings.Index(secret, ".")+1:]) {
			t.Fatal("the secret is readable after creation")
		}
		r = e.do("GET", base, e.a.Token, "")
		if expect(t, r, 200, ""); len(r.body["data"].([]any)) != 3 {
			t.Fatalf("list %s", r.raw)
		}

		// Narrow scopes: the key can read checkouts and nothing else.
		r = e.do("POST", base, e.a.Token, `{"name":"reader","scopes":["checkout:read"]}`)
		expect(t, r, 201, "")
		reader, readerID := r.body["secret"].(string), r.body["id"].(string)
		expect(t, e.do("GET", "/api/v1/checkouts", reader, ""), 200, "")
		expect(t, e.do("GET", "/api/v1/sites", reader, ""), 403, "forbidden")
		// It cannot hand on what it lacks, nor manage keys at all.
		expect(t, e.do("GET", base, reader, ""), 403, "forbidden")
		r = e.do("POST", base, e.a.Token, `{"name":"escalate","scopes":["*"]}`)
		expect(t, r, 403, "forbidden")
		for _, bad := range []string{
			`{}`, `{"name":""}`, `{"name":"x\u0007"}`, `{"name":"` + strings.Repeat("n", 101) + `"}`,
			`{"name":"x","scopes":[]}`, `{"name":"x","scopes":["checkout:fly"]}`,
			`{"name":"x","mode":"live"}`, `{"name":"x","allowedIps":["example.com"]}`,
		} {
			expect(t, e.do("POST", base, e.a.Token, bad), 422, "validation_error")
		}
		many := `["` + strings.TrimSuffix(strings.Repeat(`10.0.0.1","`, auth.MaxAllowedIPs+1), `","`) + `"]`
		expect(t, e.do("POST", base, e.a.Token, `{"name":"x","allowedIps":`+many+`}`), 400, "invalid_json")

		// Update: name, scopes, allow-list; the list holds the key to an address.
		r = e.do("PUT", base+"/"+readerID, e.a.Token, `{"name":"reader 2","allowedIps":["192.0.2.0/24"]}`)
		if expect(t, r, 200, ""); r.body["name"] != "reader 2" || r.body["allowedIps"].([]any)[0] != "192.0.2.0/24" {
			t.Fatalf("updated %s", r.raw)
		}
		expect(t, e.do("GET", "/api/v1/checkouts", reader, ""), 403, "ip_not_allowed")
		expect(t, e.do("PUT", base+"/"+readerID, e.a.Token, `{"allowedIps":["127.0.0.1","::1"]}`), 200, "")
		expect(t, e.do("GET", "/api/v1/checkouts", reader, ""), 200, "")
		expect(t, e.do("PUT", base+"/"+readerID, e.a.Token, `{"allowedIps":[]}`), 200, "")

		// Rotate with a grace period: both secrets work until it ends.
		r = e.do("POST", base+"/"+readerID+"/rotate", e.a.Token, `{"gracePeriodSeconds":3600}`)
		expect(t, r, 200, "")
		rotated := r.body["secret"].(string)
		if r.body["id"] != readerID || rotated == reader || r.body["previousSecretValidUntil"] == nil {
			t.Fatalf("rotated %s", r.raw)
		}
		expect(t, e.do("GET", "/api/v1/checkouts", reader, ""), 200, "")
		expect(t, e.do("GET", "/api/v1/checkouts", rotated, ""), 200, "")
		// Without grace the old secret ends at once.
		r = e.do("POST", base+"/"+readerID+"/rotate", e.a.Token, "")
		expect(t, r, 200, "")
		latest := r.body["secret"].(string)
		expect(t, e.do("GET", "/api/v1/checkouts", rotated, ""), 401, "unauthorized")
		expect(t, e.do("GET", "/api/v1/checkouts", reader, ""), 401, "unauthorized")
		expect(t, e.do("GET", "/api/v1/checkouts", latest, ""), 200, "")
		for _, bad := range []string{`{"gracePeriodSeconds":-1}`, `{"gracePeriodSeconds":604801}`} {
			expect(t, e.do("POST", base+"/"+readerID+"/rotate", e.a.Token, bad), 422, "validation_error")
		}

		// Revoke, then rotate is refused; delete removes it.
		r = e.do("POST", base+"/"+readerID+"/revoke", e.a.Token, "")
		if expect(t, r, 200, ""); r.body["status"] != "revoked" {
			t.Fatalf("revoked %s", r.raw)
		}
		expect(t, e.do("GET", "/api/v1/checkouts", latest, ""), 401, "unauthorized")
		expect(t, e.do("POST", base+"/"+readerID+"/rotate", e.a.Token, ""), 409, "api_key_revoked")
		r = e.do("DELETE", base+"/"+readerID, e.a.Token, "")
		if r.status != 204 {
			t.Fatalf("delete %d %s", r.status, r.raw)
		}
		expect(t, e.do("GET", base+"/"+readerID, e.a.Token, ""), 404, "not_found")
		expect(t, e.do("DELETE", base+"/"+readerID, e.a.Token, ""), 404, "not_found")

		// Tenancy: another organization's path and keys are not found; a
		// live key sees no test keys and a test key none of the live ones.
		expect(t, e.do("GET", "/api/v1/organizations/"+e.b.Organization.ID+"/api-keys", e.a.Token, ""), 404, "not_found")
		expect(t, e.do("GET", "/api/v1/organizations/"+e.a.Organization.ID+"/api-keys", e.b.Token, ""), 404, "not_found")
		expect(t, e.do("GET", base+"/"+id, e.b.Token, ""), 404, "not_found")
		liveTok := keyWith(t, s, e.a.Organization.ID, checkout.ModeLive, auth.KeyScopes)
		_, liveID, _, _ := auth.ParseToken(liveTok)
		r = e.do("GET", base, liveTok, "")
		if expect(t, r, 200, ""); len(r.body["data"].([]any)) != 1 {
			t.Fatalf("a live key lists %s", r.raw)
		}
		expect(t, e.do("GET", base+"/"+id, liveTok, ""), 404, "not_found")
		expect(t, e.do("POST", base+"/"+liveID+"/revoke", e.a.Token, ""), 404, "not_found")
	})
}

func TestAPIKeyLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		for i := 2; i < store.MaxAPIKeys; i++ { // the bootstrap key is the first, the caller the last
			k, _ := auth.NewKey(e.a.Organization.ID, fmt.Sprint("k", i), checkout.ModeTest, nil, time.Now())
			storetest.Must(t, s.CreateAPIKey(ctx, k), "key %d", i)
		}
		tok := keyWith(t, s, e.a.Organization.ID, checkout.ModeTest, auth.KeyScopes)
		expect(t, e.do("POST", "/api/v1/organizations/"+e.a.Organization.ID+"/api-keys", tok, `{"name":"one more"}`), 409, "limit_reached")
	})
}

// keyWith stores a key of the organization with scopes and returns its token.
func keyWith(t *testing.T, s *store.Store, orgID string, mode checkout.Mode, scopes []string) string {
	t.Helper()
	k, tok := auth.NewKey(orgID, "test key", mode, scopes, store.TimeNow())
	storetest.Must(t, s.CreateAPIKey(ctx, k), "key")
	return tok
}
