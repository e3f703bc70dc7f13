package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// A site's primary custom domain: its paymentUrls use it while it is
// verified. One per site.
func register20261204040000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `ALTER TABLE custom_domains ADD COLUMN is_primary BOOLEAN NOT NULL DEFAULT false;
CREATE UNIQUE INDEX custom_domains_primary ON custom_domains (site_id) WHERE is_primary`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `DROP INDEX custom_domains_primary;
ALTER TABLE custom_domains DROP COLUMN is_primary`)
	})
}
