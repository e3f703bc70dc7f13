package frontend

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pgw/pgw/internal/customdomain"
)

// askCache remembers the answers of the TLS ask endpoint for a while, so
// that a burst of handshakes for a name costs one lookup.
type askCache struct {
	mu      sync.Mutex
	answers map[string]askAnswer
}

type askAnswer struct {
	ok      bool
	expires time.Time
}

const (
	askTTL     = 30 * time.Second
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
	for _, h := range f.hosts {
		if h == host {
			w.WriteHeader(http.StatusOK)
			return
		}
	}
	now := f.now()
	f.askCache.mu.Lock()
	a, hit := f.askCache.answers[host]
	f.askCache.mu.Unlock()
	if !hit || now.After(a.expires) {
		_, err := f.store.VerifiedDomain(r.Context(), host)
		a = askAnswer{ok: err == nil, expires: now.Add(askTTL)}
		f.askCache.mu.Lock()
		if f.askCache.answers == nil || len(f.askCache.answers) >= maxAskKeys {
			f.askCache.answers = map[string]askAnswer{}
		}
		f.askCache.answers[host] = a
		f.askCache.mu.Unlock()
	}
	if !a.ok {
		http.NotFound(w, r)
		return
	}
	w.WriteHeader(http.StatusOK)
}
