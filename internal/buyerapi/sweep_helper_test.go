package buyerapi_test

import (
	"context"
	"log/slog"
	"time"

	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
)

func runtimeSweep(ctx context.Context, s *store.Store) {
	checkouts.New(s, payment.New(s), 1e12, nil).Sweep(ctx, slog.New(slog.DiscardHandler), 10*time.Millisecond)
}
