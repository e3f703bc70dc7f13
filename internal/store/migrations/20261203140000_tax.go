package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// Tax: an organization's tax settings (a row only once it saved them; off
// until then), its own rates for places the embedded data lacks, and each
// item's tax category; the decision frozen on a transaction when its payment
// starts, and the ledger: immutable rows per line when a payment succeeds,
// negative ones per refund.
func register20261203140000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `
CREATE TABLE tax_settings (
	organization_id TEXT PRIMARY KEY,
	enabled BOOLEAN NOT NULL,
	seller_country TEXT NOT NULL,
	seller_vat_id TEXT NOT NULL,
	oss_registered BOOLEAN NOT NULL,
	registrations TEXT NOT NULL,
	small_business_exemption BOOLEAN NOT NULL,
	rounding TEXT NOT NULL,
	vies_check TEXT NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE tax_rates (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL,
	country TEXT NOT NULL,
	region TEXT NOT NULL,
	category TEXT NOT NULL,
	rate TEXT NOT NULL,
	effective_from TIMESTAMPTZ NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX tax_rates_org ON tax_rates (organization_id, country, region, category, effective_from);
ALTER TABLE line_items ADD COLUMN tax_category TEXT NOT NULL DEFAULT '';
CREATE TABLE transaction_taxes (
	transaction_id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL,
	currency TEXT NOT NULL,
	subtotal BIGINT NOT NULL,
	tax BIGINT NOT NULL,
	total BIGINT NOT NULL,
	lines TEXT NOT NULL,
	evidence TEXT NOT NULL,
	decided_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE tax_records (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL,
	transaction_id TEXT NOT NULL,
	refund_id TEXT NOT NULL,
	line_no INTEGER NOT NULL,
	country TEXT NOT NULL,
	rate TEXT NOT NULL,
	treatment TEXT NOT NULL,
	net BIGINT NOT NULL,
	tax BIGINT NOT NULL,
	gross BIGINT NOT NULL,
	currency TEXT NOT NULL,
	recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX tax_records_transaction ON tax_records (transaction_id);
CREATE INDEX tax_records_org ON tax_records (organization_id, recorded_at)`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `DROP TABLE tax_records; DROP TABLE transaction_taxes;
ALTER TABLE line_items DROP COLUMN tax_category; DROP TABLE tax_rates; DROP TABLE tax_settings`)
	})
}
