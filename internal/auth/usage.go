package auth

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Usage records when keys were last used without a database write per request:
// uses are kept in memory and written in one batch every interval.
type Usage struct {
	mu      sync.Mutex
	pending map[string]time.Time
	flush   func(ctx context.Context, used map[string]time.Time) error
	log     *slog.Logger
}

// NewUsage returns a Usage that hands batches to flush.
func NewUsage(flush func(context.Context, map[string]time.Time) error, log *slog.Logger) *Usage {
	return &Usage{pending: map[string]time.Time{}, flush: flush, log: log}
}

// Touch notes that key id was used at t.
func (u *Usage) Touch(id string, t time.Time) {
	u.mu.Lock()
	if t.After(u.pending[id]) {
		u.pending[id] = t
	}
	u.mu.Unlock()
}

// Flush writes what has been noted since the last flush.
func (u *Usage) Flush(ctx context.Context) {
	u.mu.Lock()
	batch := u.pending
	u.pending = map[string]time.Time{}
	u.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	if err := u.flush(ctx, batch); err != nil {
		u.log.Warn("recording API key usage", "err", err, "keys", len(batch))
	}
}

// Run flushes every interval until ctx ends, then flushes once more.
func (u *Usage) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			u.Flush(context.WithoutCancel(ctx))
			return
		case <-t.C:
			u.Flush(ctx)
		}
	}
}
