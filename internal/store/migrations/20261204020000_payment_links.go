package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// Reusable payment links, and the link each checkout came from.
func register20261204020000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `CREATE TABLE payment_links (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL,
	site_id TEXT NOT NULL,
	mode TEXT NOT NULL,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	currency TEXT NOT NULL,
	items TEXT NOT NULL,
	custom_min BIGINT NOT NULL,
	custom_max BIGINT NOT NULL,
	max_payments INTEGER NOT NULL,
	expires_at TIMESTAMPTZ,
	active BOOLEAN NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX payment_links_org ON payment_links (organization_id, mode, created_at);
ALTER TABLE checkouts ADD COLUMN payment_link_id TEXT NOT NULL DEFAULT '';
CREATE INDEX checkouts_payment_link ON checkouts (payment_link_id, status)`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `DROP INDEX checkouts_payment_link; ALTER TABLE checkouts DROP COLUMN payment_link_id;
DROP INDEX payment_links_org; DROP TABLE payment_links`)
	})
}
