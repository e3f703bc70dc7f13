package limits

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"time"
)

// Count is one counter a request counts against: its bucket and window.
type Count struct {
	Bucket string
	Window time.Duration
}

// Seen is a counter after a request was counted: its current window's count
// (the request included), the previous window's, and the current window's
// start.
type Seen struct {
	Current, Previous int64
	WindowStart       time.Time
}

// RequestCounter counts requests against several counters at once; the store
// implements it, so copies of a server count together.
type RequestCounter interface {
	CountRates(ctx context.Context, counts []Count, now time.Time) ([]Seen, error)
	UncountRates(ctx context.Context, counts []Count, now time.Time) error
}

// APIRules are the API's request limits: per key and per organization, each
// a list of sliding windows; Exempt lists key ids, addresses and prefixes that
// no limit applies to.
type APIRules struct {
	PerKey, PerOrganization []Rule
	Exempt                  []string
}

// Verdict is what the limits say of one request: whether it may go on, and
// the tightest limit's numbers for the X-RateLimit headers.
type Verdict struct {
	Allowed   bool
	Limit     int
	Remaining int
	// Reset is when the tightest limit's current window ends.
	Reset      time.Time
	RetryAfter time.Duration
}

// APILimiter applies APIRules.
type APILimiter struct {
	c      RequestCounter
	rules  APIRules
	exempt []netip.Prefix
	keys   []string
	now    func() time.Time
}

// NewAPI returns the limiter, or an error for an exemption that is neither a
// key id nor an address or prefix.
func NewAPI(c RequestCounter, rules APIRules, now func() time.Time) (*APILimiter, error) {
	if now == nil {
		now = time.Now
	}
	l := &APILimiter{c: c, rules: rules, now: now}
	for _, e := range rules.Exempt {
		if p, err := netip.ParsePrefix(e); err == nil {
			l.exempt = append(l.exempt, p.Masked())
		} else if a, err := netip.ParseAddr(e); err == nil {
			l.exempt = append(l.exempt, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		} else if len(e) == 16 {
			l.keys = append(l.keys, e)
		} else {
			return nil, fmt.Errorf("limits.api.exempt: %q is neither an API key id, an address nor a CIDR prefix", e)
		}
	}
	for _, r := range append(slices.Clone(rules.PerKey), rules.PerOrganization...) {
		if r.Limit < 0 || (r.Limit > 0 && r.Window < time.Second) {
			return nil, fmt.Errorf("limits.api: a limit is negative or its window shorter than a second")
		}
	}
	return l, nil
}

// Exempt reports whether a key or address is exempt from every limit.
func (l *APILimiter) Exempt(keyID string, addr netip.Addr) bool {
	if slices.Contains(l.keys, keyID) {
		return true
	}
	addr = addr.Unmap()
	for _, p := range l.exempt {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// Request counts one request of a key of an organization and judges it. A
// refused request is given back, so a client that waits as told is not kept
// out by the requests it was refused.
func (l *APILimiter) Request(ctx context.Context, keyID, orgID string) (Verdict, error) {
	var counts []Count
	var rules []Rule
	add := func(scope, id string, rs []Rule) {
		for _, r := range rs {
			if r.Limit > 0 {
				counts = append(counts, Count{Bucket: fmt.Sprintf("api:%s:%s:%d", scope, id, int64(r.Window/time.Second)), Window: r.Window})
				rules = append(rules, r)
			}
		}
	}
	add("key", keyID, l.rules.PerKey)
	add("org", orgID, l.rules.PerOrganization)
	if len(counts) == 0 {
		return Verdict{Allowed: true, Remaining: -1}, nil
	}
	now := l.now()
	seen, err := l.c.CountRates(ctx, counts, now)
	if err != nil {
		return Verdict{}, err
	}
	v := Verdict{Allowed: true, Remaining: math.MaxInt}
	for i, s := range seen {
		r := rules[i]
		used := Used(s, r.Window, now)
		remaining := max(0, r.Limit-int(math.Ceil(used)))
		reset := s.WindowStart.Add(r.Window)
		if used > float64(r.Limit) {
			wait := reset.Sub(now)
			if !v.Allowed && wait <= v.RetryAfter {
				continue
			}
			v = Verdict{Allowed: false, Limit: r.Limit, Remaining: 0, Reset: reset, RetryAfter: wait}
			continue
		}
		if v.Allowed && remaining < v.Remaining {
			v.Limit, v.Remaining, v.Reset = r.Limit, remaining, reset
		}
	}
	if !v.Allowed {
		if err := l.c.UncountRates(context.WithoutCancel(ctx), counts, now); err != nil {
			return v, err
		}
	}
	return v, nil
}

// Used is a sliding window's count at now: the current window's count and
// the previous window's in proportion to how much of it still lies within
// the last window's length.
func Used(s Seen, window time.Duration, now time.Time) float64 {
	left := 1 - float64(now.Sub(s.WindowStart))/float64(window)
	return float64(s.Current) + float64(s.Previous)*max(0, left)
}
