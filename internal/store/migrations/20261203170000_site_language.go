package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// A site's default language: what its hosted pages and buyer emails speak
// when neither the checkout nor the buyer's browser names one pgw speaks.
func register20261203170000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `ALTER TABLE sites ADD COLUMN default_language TEXT NOT NULL DEFAULT ''`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `ALTER TABLE sites DROP COLUMN default_language`)
	})
}
