package store

import (
	"context"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
)

// Adapters keep their own rows beside the core's and follow its state
// changes through hooks, which run inside the transaction of the change: what
// a hook writes commits or rolls back with it. The core never names an
// adapter.

// CloseHook runs when a checkout has moved to complete, expired or canceled.
type CloseHook func(ctx context.Context, tx bun.Tx, c *checkout.Checkout, to checkout.Status, t time.Time) error

// EventHook runs for each event a checkout's change writes (an adapter adds
// its notifications).
type EventHook func(ctx context.Context, tx bun.Tx, c *checkout.Checkout, e *Event, t time.Time) error

type hooks struct {
	mu      sync.RWMutex
	onClose map[string]CloseHook
	onEvent map[string]EventHook
}

// OnCheckoutClosed installs a close hook under name, replacing one of the
// same name (every server installs the adapters' hooks on its store).
func (s *Store) OnCheckoutClosed(name string, h CloseHook) {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	if s.hooks.onClose == nil {
		s.hooks.onClose = map[string]CloseHook{}
	}
	s.hooks.onClose[name] = h
}

// OnEvent installs an event hook under name, replacing one of the same name.
func (s *Store) OnEvent(name string, h EventHook) {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	if s.hooks.onEvent == nil {
		s.hooks.onEvent = map[string]EventHook{}
	}
	s.hooks.onEvent[name] = h
}

func (s *Store) runCloseHooks(ctx context.Context, tx bun.Tx, c *checkout.Checkout, to checkout.Status, t time.Time) error {
	s.hooks.mu.RLock()
	defer s.hooks.mu.RUnlock()
	for _, h := range s.hooks.onClose {
		if err := h(ctx, tx, c, to, t); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) runEventHooks(ctx context.Context, tx bun.Tx, c *checkout.Checkout, e *Event, t time.Time) error {
	s.hooks.mu.RLock()
	defer s.hooks.mu.RUnlock()
	for _, h := range s.hooks.onEvent {
		if err := h(ctx, tx, c, e, t); err != nil {
			return err
		}
	}
	return nil
}
