package limits_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/limits"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

var ctx = context.Background()

func TestLimiter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC) // the start of a 15-minute window
		var mu sync.Mutex
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
		l := limits.New(s, clock)
		rule := limits.Rule{Limit: 3, Window: 15 * time.Minute}
		a, b := limits.Key{Bucket: "a", Rule: rule}, limits.Key{Bucket: "b", Rule: limits.Rule{Limit: 5, Window: 15 * time.Minute}}

		for i := range 3 {
			storetest.Must(t, l.Take(ctx, a, b), "take %d", i+1)
		}
		var ex *limits.Exceeded
		if err := l.Take(ctx, a, b); !errors.As(err, &ex) || ex.Bucket != "a" || ex.RetryAfter != 15*time.Minute || ex.RetryAfterSeconds() != 901 {
			t.Fatalf("fourth take: %v", err)
		}
		// In the shared error model it is TooMany with the same wait.
		if e, ok := errs.As(ex); !ok || e.Kind != errs.TooMany || e.RetryAfterSeconds() != 901 {
			t.Fatalf("fourth take as errs.Error: %+v", e)
		}
		// b was not charged for the refused try: 2 more pass on b alone.
		storetest.Must(t, l.Take(ctx, b), "b 4")
		storetest.Must(t, l.Take(ctx, b), "b 5")
		if err := l.Take(ctx, b); !errors.As(err, &ex) {
			t.Fatalf("b past its limit: %v", err)
		}
		// A key listed after a full one gives its count back.
		c := limits.Key{Bucket: "c", Rule: limits.Rule{Limit: 1, Window: time.Hour}}
		if err := l.Take(ctx, c, a); !errors.As(err, &ex) {
			t.Fatal("a is full")
		}
		storetest.Must(t, l.Take(ctx, c), "c was given back")
		// Give returns a count.
		storetest.Must(t, l.Give(ctx, a), "give")
		storetest.Must(t, l.Take(ctx, a), "after give")

		// Sliding: 5 minutes into the next window two thirds of the last
		// window's 3 still count (2), so one more passes, not three.
		advance(20 * time.Minute)
		storetest.Must(t, l.Take(ctx, a), "in the next window")
		if err := l.Take(ctx, a); !errors.As(err, &ex) {
			t.Fatalf("the previous window no longer counts: %v", err)
		}
		advance(10 * time.Minute) // the old window is gone; this one has 1
		storetest.Must(t, l.Take(ctx, a), "later")
		storetest.Must(t, l.Take(ctx, a), "later")
		// No limit: never counted.
		for range 10 {
			storetest.Must(t, l.Take(ctx, limits.Key{Bucket: "free"}), "no limit")
		}
		if n, err := s.PruneRates(ctx, clock()); err != nil || n == 0 {
			t.Fatalf("prune: %d %v", n, err)
		}
	})
}

func TestLimiterConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		l := limits.New(s, nil)
		key := limits.Key{Bucket: "hot", Rule: limits.Rule{Limit: 7, Window: time.Hour}}
		var passed, refused int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				err := l.Take(ctx, key)
				mu.Lock()
				defer mu.Unlock()
				var ex *limits.Exceeded
				switch {
				case err == nil:
					passed++
				case errors.As(err, &ex):
					refused++
				default:
					t.Errorf("take: %v", err)
				}
			})
		}
		wg.Wait()
		// Near a window's end the previous window's share shrinks, so the
		// bound is the limit plus nothing: never more than 7 in one go.
		if passed > 7 || passed+refused != 50 {
			t.Fatalf("passed %d refused %d", passed, refused)
		}
	})
}
