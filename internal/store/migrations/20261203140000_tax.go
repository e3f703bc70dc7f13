package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// Tax: an organization's tax settings (a row only once it saved them; off
// until then), its own rates for places the embedded data lacks, and each
// item's tax category.
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
ALTER TABLE line_items ADD COLUMN tax_category TEXT NOT NULL DEFAULT ''`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `ALTER TABLE line_items DROP COLUMN tax_category; DROP TABLE tax_rates; DROP TABLE tax_settings`)
	})
}
