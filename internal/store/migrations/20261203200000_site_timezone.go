package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// A site's time zone (IANA), in which its pages and emails write times when
// the buyer's browser does not say its own.
func register20261203200000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `ALTER TABLE sites ADD COLUMN time_zone TEXT NOT NULL DEFAULT ''`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `ALTER TABLE sites DROP COLUMN time_zone`)
	})
}
