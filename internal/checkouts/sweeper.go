package checkouts

import (
	"context"
	"log/slog"
	"time"
)

// sweepBatch bounds the checkouts expired per pass.
const sweepBatch = 500

// Sweep expires open checkouts past their time, every interval until ctx ends,
// and cancels what providers still hold open for them. Several main-backend
// copies may sweep at once: each checkout still has one winner, because
// expiring is a conditional update.
func (s *Service) Sweep(ctx context.Context, log *slog.Logger, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for {
			expired, err := s.store.ExpireDue(ctx, sweepBatch)
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
				if err := s.pay.CancelOpenIntents(ctx, id); err != nil {
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
