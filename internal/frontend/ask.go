package frontend

import (
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pgw/pgw/internal/customdomain"
	"github.com/pgw/pgw/internal/errs"
)

// askCache remembers the answers of the TLS ask endpoint for a while, so
// that a burst of handshakes for a name costs one lookup.
type askCache struct {
	mu      sync.Mutex
	answers map[string]askAnswer
}

type askAnswer struct {
	// siteID is the site a verified domain serves, "" for none.
	siteID  string
	expires time.Time
}

// A verified domain is remembered for askTTL; a name that is not, for
// askMissTTL only, so that a domain just verified is served within seconds.
const (
	askTTL     = 30 * time.Second
	askMissTTL = 5 * time.Second
	maxAskKeys = 10_000
)

// Hosts sets the hostnames main-frontend always serves (its own), for the ask
// endpoint.
func (f *Frontend) Hosts(hosts ...string) { f.hosts = hosts }

// ask is Caddy's on-demand TLS "ask" endpoint: 200 when a certificate may be
// issued for ?domain= (one of our own hosts, or a verified custom domain),
// 404 otherwise, so that nobody can make Caddy ask for certificates of names
// we do not serve.
func (f *Frontend) ask(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSuffix(strings.ToLower(r.URL.Query().Get("domain")), ".")
	host, err := customdomain.Normalize(name, nil)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if slices.Contains(f.hosts, host) {
		w.WriteHeader(http.StatusOK)
		return
	}
	siteID, err := f.domainSite(r, host)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	if siteID == "" {
		http.NotFound(w, r)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// domainSite is the site a verified custom domain serves, "" when host is
// none, from a cache of bounded size whose answers live askTTL.
func (f *Frontend) domainSite(r *http.Request, host string) (string, error) {
	now := f.now()
	f.askCache.mu.Lock()
	a, hit := f.askCache.answers[host]
	f.askCache.mu.Unlock()
	if hit && now.Before(a.expires) {
		return a.siteID, nil
	}
	d, err := f.store.VerifiedDomain(r.Context(), host)
	switch {
	case errors.Is(err, errs.ErrNotFound):
		a = askAnswer{expires: now.Add(askMissTTL)}
	case err != nil:
		return "", err
	default:
		a = askAnswer{siteID: d.SiteID, expires: now.Add(askTTL)}
	}
	f.askCache.mu.Lock()
	if f.askCache.answers == nil || len(f.askCache.answers) >= maxAskKeys {
		f.askCache.answers = map[string]askAnswer{}
	}
	f.askCache.answers[host] = a
	f.askCache.mu.Unlock()
	return a.siteID, nil
}

// hostSite is the site the request's host serves alone: a verified custom
// domain's; "" on our own hosts (and any other), which serve every site.
func (f *Frontend) hostSite(r *http.Request) (string, error) {
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if slices.Contains(f.hosts, host) {
		return "", nil
	}
	if _, err := customdomain.Normalize(host, nil); err != nil {
		return "", nil // an address or no name: not a custom domain
	}
	return f.domainSite(r, host)
}
