package httpx

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestClientAddr(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8")}
	for _, tc := range []struct {
		name, peer, xff string
		trusted         []netip.Prefix
		want            string
	}{
		{"no proxy trusted: the header is ignored", "127.0.0.1:5000", "203.0.113.9", nil, "127.0.0.1"},
		{"untrusted peer: the header is ignored", "198.51.100.7:5000", "203.0.113.9", trusted, "198.51.100.7"},
		{"trusted peer: the client it names", "127.0.0.1:5000", "203.0.113.9", trusted, "203.0.113.9"},
		{"a forged left-most hop is not believed", "127.0.0.1:5000", "1.2.3.4, 203.0.113.9", trusted, "203.0.113.9"},
		{"trusted hops are skipped", "127.0.0.1:5000", "203.0.113.9, 10.1.2.3", trusted, "203.0.113.9"},
		{"garbage after a good hop", "127.0.0.1:5000", "203.0.113.9, not-an-ip", trusted, "127.0.0.1"},
		{"no header from a trusted peer", "10.0.0.5:5000", "", trusted, "10.0.0.5"},
		{"IPv6 peer", "[2001:db8::1]:5000", "", trusted, "2001:db8::1"},
		{"IPv4-mapped", "[::ffff:127.0.0.1]:5000", "203.0.113.9", trusted, "203.0.113.9"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := clientAddr(r, tc.trusted); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// Forwarded requests with no trusted proxy are logged once, as the operator's
// hint that the per-client limits count everyone together.
func TestUntrustedProxyLoggedOnce(t *testing.T) {
	var logs strings.Builder
	h := TrustProxies(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), nil, slog.New(slog.NewTextHandler(&logs, nil)))
	for range 3 {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("X-Forwarded-For", "203.0.113.9")
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	if n := strings.Count(logs.String(), "trusted_proxies is empty"); n != 1 {
		t.Fatalf("logged %d times: %s", n, logs.String())
	}
}
