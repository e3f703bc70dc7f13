package runtime_test

import (
	"context"
	"log/slog"
	"time"

	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/runtime"
	"github.com/pgw/pgw/internal/store"
)

func runtimeSweep(ctx context.Context, s *store.Store) {
	runtime.Sweep(ctx, s, payment.New(s), slog.New(slog.DiscardHandler), 10*time.Millisecond)
}
