package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// A site may require the buyer's email on the hosted page (for receipts)
// when the checkout has none.
func register20261203190000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `ALTER TABLE sites ADD COLUMN require_email BOOLEAN NOT NULL DEFAULT FALSE`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `ALTER TABLE sites DROP COLUMN require_email`)
	})
}
