package adminapi_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// TestRateLimits goes past a key's limit through HTTP; the windows' arithmetic
// is tested with a fake clock in package limits.
func TestRateLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, func(c *config.Config) {
			c.Limits.API = config.APILimits{PerKeyPerMinute: 3, PerKeyPer5Minutes: 50, PerOrganizationPerMinute: 1000}
		})
		start := time.Now()
		for i := range 3 {
			r := e.do("GET", "/api/v1/sites", e.a.Token, "")
			expect(t, r, 200, "")
			if r.header.Get("X-RateLimit-Limit") != "3" || r.header.Get("X-RateLimit-Remaining") != strconv.Itoa(2-i) {
				t.Fatalf("request %d headers %v", i+1, r.header)
			}
			reset, err := strconv.ParseInt(r.header.Get("X-RateLimit-Reset"), 10, 64)
			if err != nil || reset < start.Unix() || reset > time.Now().Unix()+60 {
				t.Fatalf("X-RateLimit-Reset %q", r.header.Get("X-RateLimit-Reset"))
			}
		}
		r := e.do("GET", "/api/v1/sites", e.a.Token, "")
		expect(t, r, 429, "rate_limited")
		if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 1 || ra > 61 || r.header.Get("X-RateLimit-Remaining") != "0" {
			t.Fatalf("429 headers %v", r.header)
		}
		// Every route of the key counts; another organization's key does not.
		expect(t, e.do("POST", "/api/v1/checkouts/"+e.a.Site.ID+"/create", e.a.Token, `{"amount":1,"currency":"EUR","externalReference":"r"}`), 429, "rate_limited")
		expect(t, e.do("GET", "/api/v1/sites", e.b.Token, ""), 200, "")
		// A request without a valid key is refused before it is counted.
		expect(t, e.do("GET", "/api/v1/sites", "sk_test_0123456789abcdef.wrongwrongwrongwrongwrongwrongwrong", ""), 401, "unauthorized")
	})
}

func TestRateLimitExemptions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, func(c *config.Config) {
			c.Limits.API = config.APILimits{PerKeyPerMinute: 1, Exempt: []string{"127.0.0.1", "::1"}}
		})
		for range 3 {
			if r := e.do("GET", "/api/v1/sites", e.a.Token, ""); r.status != 200 || r.header.Get("X-RateLimit-Limit") != "" {
				t.Fatalf("an exempt address: %d %v", r.status, r.header)
			}
		}
	})
}
