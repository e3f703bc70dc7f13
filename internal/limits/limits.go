// Package limits bounds how often a thing may be tried: payment attempts per
// checkout, client and site, sign-ins per email and client. Counts live in
// the database, so several copies of a server behind a proxy count together.
package limits

import (
	"context"
	"fmt"
	"time"

	"github.com/pgw/pgw/internal/errs"
)

// Counter keeps the counts; the store implements it.
type Counter interface {
	TakeRate(ctx context.Context, bucket string, limit int, window time.Duration, now time.Time) (bool, time.Duration, error)
	GiveRate(ctx context.Context, bucket string, window time.Duration, now time.Time) error
}

// Rule is at most Limit tries per Window; a zero Limit is no limit.
type Rule struct {
	Limit  int
	Window time.Duration
}

// Key is one count to take: a bucket name and its rule.
type Key struct {
	Bucket string
	Rule   Rule
}

// Exceeded is the error of a try past a limit.
type Exceeded struct {
	// Bucket names the limit, RetryAfter how long until a try may pass.
	Bucket     string
	RetryAfter time.Duration
}

func (e *Exceeded) Error() string {
	return fmt.Sprintf("too many attempts (%s): retry after %s", e.Bucket, e.RetryAfter.Round(time.Second))
}

// Unwrap is the error in the shared model: TooMany, with RetryAfter.
func (e *Exceeded) Unwrap() error {
	return &errs.Error{Kind: errs.TooMany, Code: "too_many_attempts", Message: "too many attempts; try again later",
		RetryAfter: e.RetryAfter}
}

// RetryAfterSeconds is the Retry-After header's value, at least 1.
func (e *Exceeded) RetryAfterSeconds() int { return int(e.RetryAfter/time.Second) + 1 }

// Limiter takes counts from a Counter.
type Limiter struct {
	c   Counter
	now func() time.Time
}

// New returns a Limiter over c; now defaults to time.Now.
func New(c Counter, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{c: c, now: now}
}

// Take counts one try against every key, or none: when a key is at its limit,
// the counts already taken are given back and the answer is *Exceeded.
func (l *Limiter) Take(ctx context.Context, keys ...Key) error {
	if l == nil {
		return nil
	}
	now := l.now()
	for i, k := range keys {
		if k.Rule.Limit <= 0 {
			continue
		}
		ok, wait, err := l.c.TakeRate(ctx, k.Bucket, k.Rule.Limit, k.Rule.Window, now)
		if err == nil && ok {
			continue
		}
		for _, back := range keys[:i] {
			if back.Rule.Limit > 0 {
				_ = l.c.GiveRate(context.WithoutCancel(ctx), back.Bucket, back.Rule.Window, now) //nolint:errcheck // an extra count errs on the safe side
			}
		}
		if err != nil {
			return err
		}
		return &Exceeded{Bucket: k.Bucket, RetryAfter: wait}
	}
	return nil
}

// Give takes back one try of each key (a sign-in that succeeded).
func (l *Limiter) Give(ctx context.Context, keys ...Key) error {
	if l == nil {
		return nil
	}
	now := l.now()
	for _, k := range keys {
		if k.Rule.Limit > 0 {
			if err := l.c.GiveRate(ctx, k.Bucket, k.Rule.Window, now); err != nil {
				return err
			}
		}
	}
	return nil
}
