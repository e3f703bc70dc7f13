// Package runtime is main-backend: the runtime side of checkouts. For now it
// runs the expiry sweeper; the buyer-facing runtime API and provider hooks
// build on it.
package runtime

import (
	"context"
	"log/slog"
	"time"

	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
)

// sweepBatch bounds the checkouts expired per pass.
const sweepBatch = 500

// Sweep expires open checkouts past their time, every interval until ctx ends.
// Several main-backend copies may sweep at once: each checkout still has one
// winner, because expiring is a conditional update.
func Sweep(ctx context.Context, s *store.Store, pay *payment.Service, log *slog.Logger, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for {
			expired, err := s.ExpireDue(ctx, sweepBatch)
			if err != nil {
				if ctx.Err() == nil {
					log.Error("expiring due checkouts", "err", err)
				}
				break
			}
			if len(expired) > 0 {
				log.Info("expired checkouts", "count", len(expired))
			}
			for _, id := range expired {
				if err := pay.CancelOpenIntents(ctx, id); err != nil {
					log.Warn("canceling the open payments of an expired checkout", "err", err, "checkout", id)
				}
			}
			if len(expired) < sweepBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
