package dashboard

import (
	"sync"
	"time"
)

// throttle counts failed sign-ins per key (an email, an address) and refuses
// further tries of a key that failed too often within a window.
type throttle struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
}

func newThrottle(max int, window time.Duration) *throttle {
	return &throttle{max: max, window: window, fails: map[string][]time.Time{}}
}

// blocked reports how long key must still wait, 0 when it may try.
func (t *throttle) blocked(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	recent := t.prune(key, now)
	if len(recent) < t.max {
		return 0
	}
	return recent[0].Add(t.window).Sub(now)
}

// fail records a failed try of key.
func (t *throttle) fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fails[key] = append(t.prune(key, now), now)
	if len(t.fails) > 100_000 {
		// Bound memory under a spray of keys: forget about half of them.
		for k := range t.fails {
			if len(t.fails) <= 50_000 {
				break
			}
			delete(t.fails, k)
		}
	}
}

// reset forgets key's failures after a good sign-in.
func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, key)
}

func (t *throttle) prune(key string, now time.Time) []time.Time {
	fs := t.fails[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= t.window {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.fails, key)
		return nil
	}
	t.fails[key] = fs
	return fs
}
