package httpx

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
)

type clientAddrKey struct{}

// TrustProxies notes each request's client address: the TCP peer, or, when
// the peer is one of the trusted proxies, the right-most address of
// X-Forwarded-For that is not a trusted proxy itself. Without trusted proxies
// the header is ignored, so that no client can choose its own address.
//
// A request forwarded by a proxy that is not trusted is logged once: behind
// such a proxy every client has its address, and the limits that count per
// client count everyone together.
func TrustProxies(h http.Handler, trusted []netip.Prefix, log *slog.Logger) http.Handler {
	var warn sync.Once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := clientAddr(r, trusted)
		if len(trusted) == 0 && r.Header.Get("X-Forwarded-For") != "" {
			warn.Do(func() {
				log.Warn("a request came through a proxy, but http.trusted_proxies is empty: every client of that proxy " +
					"shares its address for the per-client limits; list the proxy in http.trusted_proxies")
			})
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientAddrKey{}, addr)))
	})
}

func clientAddr(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if !inAny(peer, trusted) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a proxy we trust wrote nonsense: the last good hop stands
		}
		client = a.Unmap()
		if !inAny(client, trusted) {
			break
		}
	}
	return client.String()
}

func inAny(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr is the request's client address as TrustProxies found it (the TCP
// peer's when the request did not pass through TrustProxies).
func ClientAddr(r *http.Request) string {
	if a, ok := r.Context().Value(clientAddrKey{}).(string); ok {
		return a
	}
	return clientAddr(r, nil)
}
