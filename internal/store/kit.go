package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/secrets"
)

// What adapters need to keep their own tables with the core's rules: the same
// databases, transactions (shared commits on SQLite), checkout insertion, the
// secrets box and the error mapping.

// Writer is the database writes go to (on SQLite its one writer connection).
func (s *Store) Writer() *bun.DB { return s.write }

// Reader is the database reads go to.
func (s *Store) Reader() *bun.DB { return s.read }

// InTx runs fn in one write transaction.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.inTx(ctx, fn)
}

// InsertCheckout stores a new checkout with its items, and the idempotency
// record done when not nil, inside tx.
func (s *Store) InsertCheckout(ctx context.Context, tx bun.Tx, c *checkout.Checkout, done *IdempotencyResult) error {
	return s.insertCheckout(ctx, tx, c, done)
}

// Box seals and opens secrets at rest.
func (s *Store) Box() *secrets.Box { return s.box }

// NotFound turns "no rows" into errs.ErrNotFound naming what, and wraps
// any other error.
func NotFound(err error, what string) error { return notFound(err, what) }

// IsUniqueViolation reports whether err is a unique or primary key failing.
func IsUniqueViolation(err error) bool { return isUniqueViolation(err) }

// RetryOnConflict runs a find-or-create once more when it lost a race to a
// concurrent transaction on a unique key: the second run finds the winner.
func RetryOnConflict[T any](fn func() (T, bool, error)) (T, bool, error) {
	v, created, err := fn()
	if isUniqueViolation(err) {
		return fn()
	}
	return v, created, err
}

// NextCounter allocates the next number of a per-organization sequence.
func NextCounter(ctx context.Context, tx bun.IDB, orgID, name string) (int64, error) {
	var v int64
	err := tx.NewRaw(`INSERT INTO counters (organization_id, name, value) VALUES (?, ?, 1)
ON CONFLICT (organization_id, name) DO UPDATE SET value = counters.value + 1 RETURNING value`, orgID, name).Scan(ctx, &v)
	if err != nil {
		return 0, fmt.Errorf("numbering %s: %w", name, err)
	}
	return v, nil
}

// Apply adds the query's conditions, sort and page to sq, whose table has
// the given alias.
func (q Query) Apply(sq *bun.SelectQuery, alias string) *bun.SelectQuery { return q.apply(sq, alias) }
