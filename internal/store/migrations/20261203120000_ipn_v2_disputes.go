package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// IPN v2, disputes and customer risk holds (a checkout may be restricted to
// the provider types a hold allows). Sites that exist stay on IPN
// version 1 (the column's default); the store gives new sites version 2. An
// IPN delivery records the version it speaks and, for v2, its event version.
func register20261203120000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `
ALTER TABLE sites ADD COLUMN ipn_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE checkouts ADD COLUMN allowed_provider_types TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_deliveries ADD COLUMN ipn_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox_deliveries ADD COLUMN event_version BIGINT NOT NULL DEFAULT 0;
CREATE INDEX outbox_deliveries_subject ON outbox_deliveries (subject_id, sink);
CREATE TABLE disputes (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL,
	transaction_id TEXT NOT NULL,
	checkout_id TEXT NOT NULL,
	provider_dispute_id TEXT NOT NULL,
	status TEXT NOT NULL,
	amount BIGINT NOT NULL,
	currency TEXT NOT NULL,
	reason TEXT NOT NULL,
	customer_email TEXT NOT NULL,
	client_id TEXT NOT NULL,
	opened_at TIMESTAMPTZ NOT NULL,
	closed_at TIMESTAMPTZ,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX disputes_transaction ON disputes (transaction_id);
CREATE INDEX disputes_customer ON disputes (organization_id, customer_email, status);
CREATE INDEX disputes_client ON disputes (organization_id, client_id, status);
CREATE UNIQUE INDEX disputes_provider ON disputes (organization_id, provider_dispute_id) WHERE provider_dispute_id <> '';
CREATE TABLE customer_risk_holds (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL,
	email TEXT NOT NULL,
	client_id TEXT NOT NULL,
	action TEXT NOT NULL,
	allowed_provider_types TEXT NOT NULL,
	reason TEXT NOT NULL,
	dispute_id TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX customer_risk_holds_email ON customer_risk_holds (organization_id, email);
CREATE INDEX customer_risk_holds_client ON customer_risk_holds (organization_id, client_id)`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `
DROP TABLE customer_risk_holds;
DROP TABLE disputes;
DROP INDEX outbox_deliveries_subject;
ALTER TABLE outbox_deliveries DROP COLUMN event_version;
ALTER TABLE outbox_deliveries DROP COLUMN ipn_version;
ALTER TABLE checkouts DROP COLUMN allowed_provider_types;
ALTER TABLE sites DROP COLUMN ipn_version`)
	})
}
