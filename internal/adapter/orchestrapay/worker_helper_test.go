package orchestrapay_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/outbox"
	"github.com/pgw/pgw/internal/store"
)

func startWorker(t *testing.T, s *store.Store) {
	wctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		outbox.New(s, outbox.Config{PollInterval: 10 * time.Millisecond, Lease: 3 * time.Second, Concurrency: 4, MaxAge: time.Minute,
			RetryBase: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond, AttemptTimeout: time.Second, AllowPrivate: true, Sinks: app.Sinks(s)},
			slog.New(slog.DiscardHandler)).Run(wctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
}
