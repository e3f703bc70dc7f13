package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// Merchants' own hostnames for their sites' payment pages. Several
// organizations may claim a hostname; only one may have it verified.
func register20261204030000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `CREATE TABLE custom_domains (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL,
	site_id TEXT NOT NULL,
	hostname TEXT NOT NULL,
	token TEXT NOT NULL,
	status TEXT NOT NULL,
	reason TEXT NOT NULL,
	verified_at TIMESTAMPTZ,
	checked_at TIMESTAMPTZ,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX custom_domains_org ON custom_domains (organization_id, created_at);
CREATE UNIQUE INDEX custom_domains_claim ON custom_domains (organization_id, hostname);
CREATE UNIQUE INDEX custom_domains_verified ON custom_domains (hostname) WHERE status = 'verified'`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `DROP TABLE custom_domains`)
	})
}
