package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// A site's inTandem connection, the single-use card tokens of the charge
// iframe, and one checkout per inTandem checkout or charge.
func register20261121100000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `
CREATE TABLE intandem_connections (
	site_id TEXT PRIMARY KEY REFERENCES sites (id),
	organization_id TEXT NOT NULL,
	api_base TEXT NOT NULL,
	business_uid TEXT NOT NULL UNIQUE,
	token_enc TEXT NOT NULL,
	frame_origins TEXT NOT NULL,
	app_name TEXT NOT NULL,
	mode TEXT NOT NULL,
	connected BOOLEAN NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE intandem_tokens (
	token TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL,
	site_id TEXT NOT NULL,
	business_uid TEXT NOT NULL,
	amount BIGINT NOT NULL,
	currency TEXT NOT NULL,
	provider_id TEXT NOT NULL,
	card_brand TEXT NOT NULL,
	card_last4 TEXT NOT NULL,
	cardholder_name TEXT NOT NULL,
	outcome_code TEXT NOT NULL,
	outcome_message TEXT NOT NULL,
	payment_method TEXT NOT NULL,
	client_id TEXT NOT NULL,
	save_card BOOLEAN NOT NULL,
	used_by TEXT NOT NULL,
	transaction_id TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX checkouts_source_ref ON checkouts (site_id, source, source_ref) WHERE source_ref <> ''`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `DROP INDEX checkouts_source_ref; DROP TABLE intandem_tokens; DROP TABLE intandem_connections`)
	})
}
