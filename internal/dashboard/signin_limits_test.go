package dashboard_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// postFrom posts a sign-in as a browser behind the proxy at the given address.
func (c *client) postFrom(addr string, form url.Values) response {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.base+"/dashboard/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if addr != "" {
		req.Header.Set("X-Forwarded-For", addr)
	}
	return c.do(req)
}

// Concurrent wrong passwords for one email cannot pass the limit together:
// each is counted before its hash is computed.
func TestSignInLimitIsAtomic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		var mu sync.Mutex
		statuses := map[int]int{}
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Go(func() {
				r := w.client().post("/dashboard/signin", url.Values{"email": {w.emails["viewer"]}, "password": {fmt.Sprintf("wrong %d", i)}})
				mu.Lock()
				statuses[r.status]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if statuses[http.StatusUnauthorized] > 5 || statuses[http.StatusUnauthorized]+statuses[http.StatusTooManyRequests] != 40 {
			t.Fatalf("40 concurrent wrong passwords answered %v; at most 5 may be checked", statuses)
		}
	})
}

// The limits per email and client, per email and per client, with the client
// taken from X-Forwarded-For only behind a trusted proxy.
func TestSignInLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s, func(c *config.Config) {
			c.HTTP.TrustedProxies = []string{"127.0.0.1/32"}
			c.Limits = config.Limits{Window: 15 * time.Minute, SigninPerEmailClient: 2, SigninPerEmail: 3, SigninPerClient: 4, PasswordHashes: 1}
		})
		c := w.client()
		try := func(addr, email, pw string) int {
			return c.postFrom(addr, url.Values{"email": {email}, "password": {pw}}).status
		}
		viewer, editor, admin := w.emails["viewer"], w.emails["editor"], w.emails["admin"]

		// A right password does not use up the allowance.
		for range 3 {
			if st := try("203.0.113.1", viewer, password); st != http.StatusSeeOther {
				t.Fatalf("right password: %d", st)
			}
		}
		// Per email and client: 2.
		for i, want := range []int{401, 401, 429} {
			if st := try("203.0.113.1", viewer, "wrong"); st != want {
				t.Fatalf("try %d from .1: %d, want %d", i+1, st, want)
			}
		}
		// Another client may still try the email, until the email's 3.
		if st := try("203.0.113.2", viewer, "wrong"); st != 401 {
			t.Fatalf("another client: %d", st)
		}
		if st := try("203.0.113.3", viewer, password); st != 429 {
			t.Fatalf("the email is past its limit, yet: %d", st)
		}
		// That locks the email, not the clients: .3 signs in to another.
		if st := try("203.0.113.3", editor, password); st != http.StatusSeeOther {
			t.Fatalf("another email from .3: %d", st)
		}
		// Per client: 4 tries of any emails.
		for i, email := range []string{"a@x.test", "b@x.test", "c@x.test", "d@x.test"} {
			if st := try("198.51.100.9", email, "wrong"); st != 401 {
				t.Fatalf("client try %d: %d", i+1, st)
			}
		}
		if st := try("198.51.100.9", admin, password); st != 429 {
			t.Fatalf("a fifth try from one client: %d", st)
		}
		resp := c.postFrom("198.51.100.9", url.Values{"email": {admin}, "password": {password}})
		if resp.status != 429 {
			t.Fatalf("status %d", resp.status)
		}
	})
}

// Without trusted proxies X-Forwarded-For is ignored: a client cannot dodge
// its limit by naming another address, nor lock others out by naming theirs.
func TestSignInIgnoresForwardedForByDefault(t *testing.T) {
	w := newWorld(t, storetest.Open(t, store.SQLite), func(c *config.Config) {
		c.Limits = config.Limits{Window: 15 * time.Minute, SigninPerEmailClient: 2, SigninPerEmail: 100, SigninPerClient: 3, PasswordHashes: 1}
	})
	c := w.client()
	for i := range 3 {
		if st := c.postFrom("203.0.113."+string(rune('1'+i)), url.Values{"email": {"nobody" + string(rune('a'+i)) + "@x.test"}, "password": {"x"}}).status; st != 401 {
			t.Fatalf("try %d: %d", i+1, st)
		}
	}
	if st := c.postFrom("203.0.113.200", url.Values{"email": {w.emails["admin"]}, "password": {password}}).status; st != 429 {
		t.Fatalf("a forged X-Forwarded-For escaped the per-client limit: %d", st)
	}
}
