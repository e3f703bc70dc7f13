package limits

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Window is one fixed window of a counter: its bucket and its start in Unix
// seconds.
type Window struct {
	Bucket string
	Start  int64
}

// Shared keeps the API counters where every copy of a server sees them; the
// store implements it. Add adds to windows' counts; Read answers the counts
// of windows (absent ones are 0).
type Shared interface {
	AddRates(ctx context.Context, add map[Window]int64) error
	ReadRates(ctx context.Context, windows []Window) (map[Window]int64, error)
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

// APILimiter applies APIRules. Requests are counted in memory and written to
// the shared counters by Sync, which also reads what the other copies
// counted: a request costs no database write, and copies behind a proxy
// count together within one sync interval (each may let through what reaches
// it in that interval before it sees the others' counts). A window a copy has
// not seen yet is read before its first request is judged.
type APILimiter struct {
	shared Shared
	rules  APIRules
	exempt []netip.Prefix
	keys   []string
	now    func() time.Time
	// longest is the longest window of the rules: a window weighs on
	// requests for at most twice that after its start.
	longest time.Duration

	mu sync.Mutex
	// wins are the windows in use: the count the shared store had at the
	// last sync and what this copy has counted since.
	wins map[Window]*window
}

type window struct {
	shared, pending int64
	lastUsed        time.Time
}

// NewAPI returns the limiter, or an error for an exemption that is neither a
// key id nor an address or prefix.
func NewAPI(shared Shared, rules APIRules, now func() time.Time) (*APILimiter, error) {
	if now == nil {
		now = time.Now
	}
	l := &APILimiter{shared: shared, rules: rules, now: now, wins: map[Window]*window{}}
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
		l.longest = max(l.longest, r.Window)
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

// rule is one limit applied to one key or organization.
type rule struct {
	bucket string
	Rule
}

func (l *APILimiter) rulesFor(keyID, orgID string) []rule {
	var out []rule
	add := func(scope, id string, rs []Rule) {
		for _, r := range rs {
			if r.Limit > 0 {
				out = append(out, rule{bucket: "api:" + scope + ":" + id + ":" + strconv.FormatInt(int64(r.Window/time.Second), 10), Rule: r})
			}
		}
	}
	add("key", keyID, l.rules.PerKey)
	add("org", orgID, l.rules.PerOrganization)
	return out
}

// Request judges one request of a key of an organization and counts it when
// it may go on; a refused request is not counted, so a client that waits as
// told is not kept out by the requests it was refused.
func (l *APILimiter) Request(ctx context.Context, keyID, orgID string) (Verdict, error) {
	rules := l.rulesFor(keyID, orgID)
	if len(rules) == 0 {
		return Verdict{Allowed: true}, nil
	}
	now := l.now()
	if err := l.load(ctx, rules, now); err != nil {
		return Verdict{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	v := Verdict{Allowed: true, Remaining: math.MaxInt}
	curs := make([]*window, len(rules))
	for i, r := range rules {
		cur, prev := l.windows(r, now)
		curs[i] = cur
		start := time.Unix(now.Unix()/secs(r.Window)*secs(r.Window), 0)
		used := Used(cur.shared+cur.pending+1, prev.shared+prev.pending, start, r.Window, now)
		reset := start.Add(r.Window)
		if used > float64(r.Limit) {
			if wait := reset.Sub(now); v.Allowed || wait > v.RetryAfter {
				v = Verdict{Limit: r.Limit, Reset: reset, RetryAfter: wait}
			}
			continue
		}
		if remaining := r.Limit - int(math.Ceil(used)); v.Allowed && remaining < v.Remaining {
			v.Limit, v.Remaining, v.Reset = r.Limit, remaining, reset
		}
	}
	if v.Allowed {
		for _, w := range curs {
			w.pending++
			w.lastUsed = now
		}
	}
	return v, nil
}

func secs(d time.Duration) int64 { return int64(d / time.Second) }

// windows returns a rule's current and previous window at now (l.mu held).
func (l *APILimiter) windows(r rule, now time.Time) (cur, prev *window) {
	w := secs(r.Window)
	start := now.Unix() / w * w
	get := func(s int64) *window {
		k := Window{Bucket: r.bucket, Start: s}
		win := l.wins[k]
		if win == nil {
			win = &window{lastUsed: now}
			l.wins[k] = win
		}
		return win
	}
	return get(start), get(start - w)
}

// load reads the windows of rules this copy has not seen yet.
func (l *APILimiter) load(ctx context.Context, rules []rule, now time.Time) error {
	var missing []Window
	l.mu.Lock()
	for _, r := range rules {
		w := secs(r.Window)
		start := now.Unix() / w * w
		for _, s := range []int64{start, start - w} {
			if k := (Window{Bucket: r.bucket, Start: s}); l.wins[k] == nil {
				missing = append(missing, k)
			}
		}
	}
	l.mu.Unlock()
	if len(missing) == 0 {
		return nil
	}
	got, err := l.shared.ReadRates(ctx, missing)
	if err != nil {
		return fmt.Errorf("reading rate counters: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range missing {
		if l.wins[k] == nil {
			l.wins[k] = &window{shared: got[k], lastUsed: now}
		}
	}
	return nil
}

// Sync writes what this copy counted since the last sync and reads what all
// copies counted in the windows in use; windows no request can weigh any
// more are forgotten.
func (l *APILimiter) Sync(ctx context.Context) error {
	now := l.now()
	l.mu.Lock()
	add := map[Window]int64{}
	var keep []Window
	for k, w := range l.wins {
		if w.pending > 0 {
			add[k] = w.pending
		}
		// A window weighs while it is current or previous, at most twice
		// its length after its start; the longest window is the bound.
		if now.Sub(time.Unix(k.Start, 0)) > 2*l.longest && w.pending == 0 {
			delete(l.wins, k)
			continue
		}
		keep = append(keep, k)
	}
	l.mu.Unlock()
	if len(add) > 0 {
		if err := l.shared.AddRates(ctx, add); err != nil {
			return fmt.Errorf("writing rate counters: %w", err)
		}
	}
	got, err := l.shared.ReadRates(ctx, keep)
	if err != nil {
		return fmt.Errorf("reading rate counters: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keep {
		if w := l.wins[k]; w != nil {
			w.pending -= add[k] // what came in meanwhile stays pending
			w.shared = got[k]
		}
	}
	return nil
}

// Run syncs every interval until ctx ends, and once more then.
func (l *APILimiter) Run(ctx context.Context, interval time.Duration, report func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := l.Sync(context.WithoutCancel(ctx)); err != nil {
				report(err)
			}
			return
		case <-t.C:
			if err := l.Sync(ctx); err != nil && ctx.Err() == nil {
				report(err)
			}
		}
	}
}

// Used is a sliding window's count at now: the current window's count and
// the previous window's in proportion to how much of it still lies within
// the last window's length.
func Used(current, previous int64, start time.Time, window time.Duration, now time.Time) float64 {
	left := 1 - float64(now.Sub(start))/float64(window)
	return float64(current) + float64(previous)*max(0, left)
}

// String names a window, for logs.
func (w Window) String() string { return w.Bucket + "@" + strconv.FormatInt(w.Start, 10) }
