package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// An organization's own SMTP server for the buyer's receipts and the
// operators' alerts (the password sealed), and a site setting that the
// buyer's email must be asked.
func register20261203180000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `
CREATE TABLE mail_settings (
	organization_id TEXT PRIMARY KEY,
	host TEXT NOT NULL,
	port INTEGER NOT NULL,
	tls TEXT NOT NULL,
	username TEXT NOT NULL,
	password_sealed TEXT NOT NULL,
	from_address TEXT NOT NULL,
	receipts BOOLEAN NOT NULL,
	alerts BOOLEAN NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
)`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `DROP TABLE mail_settings`)
	})
}
