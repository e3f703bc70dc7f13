package limits_test

import (
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/limits"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestAPILimiter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
		rules := limits.APIRules{
			PerKey:          []limits.Rule{{Limit: 3, Window: time.Minute}, {Limit: 5, Window: 5 * time.Minute}},
			PerOrganization: []limits.Rule{{Limit: 8, Window: time.Minute}},
		}
		l, err := limits.NewAPI(s, rules, clock)
		storetest.Must(t, err, "limiter")
		req := func(l *limits.APILimiter, key, org string) limits.Verdict {
			t.Helper()
			v, err := l.Request(ctx, key, org)
			storetest.Must(t, err, "request")
			return v
		}
		for i := range 3 {
			if v := req(l, "k1", "o1"); !v.Allowed || v.Limit != 3 || v.Remaining != 2-i || !v.Reset.Equal(now.Add(time.Minute)) {
				t.Fatalf("request %d: %+v", i+1, v)
			}
		}
		v := req(l, "k1", "o1")
		if v.Allowed || v.RetryAfter != time.Minute || v.Limit != 3 {
			t.Fatalf("fourth request: %+v", v)
		}
		// Another key of the organization has its own count.
		if v := req(l, "k2", "o1"); !v.Allowed {
			t.Fatalf("another key: %+v", v)
		}
		storetest.Must(t, l.Sync(ctx), "sync")

		// A second copy of the server sees the first's counts: at once for a
		// window it reads first, after a sync for one it knows.
		other, err := limits.NewAPI(s, rules, clock)
		storetest.Must(t, err, "second limiter")
		if v := req(other, "k1", "o1"); v.Allowed {
			t.Fatalf("the second copy let through a fourth request: %+v", v)
		}

		// 90 s on, the sliding window still holds half of the previous
		// minute's 3: 1.5 + 1 passes, the next would be 3.5.
		advance(90 * time.Second)
		if v := req(l, "k1", "o1"); !v.Allowed {
			t.Fatalf("after 90 s: %+v", v)
		}
		if v := req(l, "k1", "o1"); v.Allowed {
			t.Fatalf("a second request after 90 s: %+v", v)
		}
		storetest.Must(t, l.Sync(ctx), "sync")
		if v := req(other, "k1", "o1"); v.Allowed {
			t.Fatalf("the second copy, before its sync, let through what the first counted: %+v", v)
		}
		// The 5-minute limit: 4 taken of 5 (refusals are not counted).
		advance(time.Minute)
		storetest.Must(t, other.Sync(ctx), "sync the other")
		if v := req(other, "k1", "o1"); !v.Allowed || v.Limit != 5 || v.Remaining != 0 {
			t.Fatalf("fifth in five minutes: %+v", v)
		}
		storetest.Must(t, other.Sync(ctx), "sync the other")
		storetest.Must(t, l.Sync(ctx), "sync")
		if v := req(l, "k1", "o1"); v.Allowed || v.Limit != 5 {
			t.Fatalf("sixth in five minutes, on the first copy: %+v", v)
		}
		// The organization's limit binds all its keys together.
		for i, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
			if v := req(l, k, "o2"); !v.Allowed {
				t.Fatalf("organization request %d: %+v", i+1, v)
			}
		}
		if v := req(l, "i", "o2"); v.Allowed || v.Limit != 8 {
			t.Fatalf("ninth organization request: %+v", v)
		}
		// Counts reach the database: 4 + 1 in the 5-minute window of k1.
		w := limits.Window{Bucket: "api:key:k1:300", Start: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC).Unix()}
		got, err := s.ReadRates(ctx, []limits.Window{w})
		storetest.Must(t, err, "read")
		if got[w] != 5 {
			t.Fatalf("stored count %d, want 5", got[w])
		}
	})
}

func TestAPILimiterExempt(t *testing.T) {
	l, err := limits.NewAPI(nil, limits.APIRules{Exempt: []string{"0123456789abcdef", "10.0.0.0/8", "::1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key, addr string
		want      bool
	}{
		{"0123456789abcdef", "192.0.2.1", true}, {"x", "10.1.2.3", true}, {"x", "::1", true},
		{"x", "::ffff:10.0.0.1", true}, {"x", "192.0.2.1", false}, {"x", "127.0.0.1", false},
	} {
		if got := l.Exempt(tc.key, netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("Exempt(%s, %s) = %v", tc.key, tc.addr, got)
		}
	}
	for _, bad := range []string{"example.com", "10.0.0.0/40", "short"} {
		if _, err := limits.NewAPI(nil, limits.APIRules{Exempt: []string{bad}}, nil); err == nil {
			t.Errorf("exemption %q accepted", bad)
		}
	}
	if _, err := limits.NewAPI(nil, limits.APIRules{PerKey: []limits.Rule{{Limit: -1, Window: time.Minute}}}, nil); err == nil {
		t.Error("a negative limit accepted")
	}
}
