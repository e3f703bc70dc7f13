package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// Provider events are applied once (their ids are kept with the change they
// made); refunds are recorded and summed against what was captured; money
// that arrives for a checkout no longer open is flagged for the operator.
func register20261121080000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `
CREATE TABLE provider_events (
	provider_id TEXT NOT NULL,
	event_id TEXT NOT NULL,
	type TEXT NOT NULL,
	received_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (provider_id, event_id)
);
CREATE TABLE refunds (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL,
	transaction_id TEXT NOT NULL REFERENCES transactions (id),
	amount BIGINT NOT NULL,
	currency TEXT NOT NULL,
	status TEXT NOT NULL,
	provider_ref TEXT NOT NULL,
	failure TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX refunds_transaction ON refunds (transaction_id);
ALTER TABLE transactions ADD COLUMN refunded_amount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN flag TEXT NOT NULL DEFAULT '';
CREATE INDEX transactions_provider_ref ON transactions (provider_id, provider_ref)`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `
DROP INDEX transactions_provider_ref;
ALTER TABLE transactions DROP COLUMN flag;
ALTER TABLE transactions DROP COLUMN refunded_amount;
DROP TABLE refunds;
DROP TABLE provider_events`)
	})
}
