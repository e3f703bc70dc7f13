package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// The Orchestrapay surface keeps, beside the checkout it maps onto, what its
// clients send and expect back: UUIDs, integer secrets numbered per
// organization, idempotency keys, webhook targets and secrets.
func register20261121090000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `
CREATE TABLE counters (
	organization_id TEXT NOT NULL,
	name TEXT NOT NULL,
	value BIGINT NOT NULL,
	PRIMARY KEY (organization_id, name)
);
CREATE TABLE orchestrapay_intents (
	checkout_id TEXT PRIMARY KEY REFERENCES checkouts (id),
	organization_id TEXT NOT NULL,
	uuid TEXT NOT NULL UNIQUE,
	secret BIGINT NOT NULL,
	amount BIGINT NOT NULL,
	currency TEXT NOT NULL,
	final_success_url TEXT NOT NULL,
	final_failure_url TEXT NOT NULL,
	locale TEXT NOT NULL,
	idempotency_key TEXT NOT NULL,
	human_ref TEXT NOT NULL,
	timeout_seconds BIGINT NOT NULL,
	webhook_urls TEXT NOT NULL,
	webhook_secret_enc TEXT NOT NULL,
	feature_flag TEXT NOT NULL,
	tenant TEXT NOT NULL,
	line_items TEXT NOT NULL,
	payload TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	deleted_at TIMESTAMPTZ,
	UNIQUE (organization_id, secret)
);
CREATE UNIQUE INDEX orchestrapay_intents_idem ON orchestrapay_intents (organization_id, idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX orchestrapay_intents_org_created ON orchestrapay_intents (organization_id, created_at);
CREATE TABLE orchestrapay_payments (
	uuid TEXT PRIMARY KEY,
	id BIGINT NOT NULL,
	organization_id TEXT NOT NULL,
	checkout_id TEXT NOT NULL REFERENCES checkouts (id),
	gateway TEXT NOT NULL,
	status TEXT NOT NULL,
	sub_status TEXT NOT NULL,
	timeout_at TIMESTAMPTZ NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	UNIQUE (organization_id, id)
);
CREATE INDEX orchestrapay_payments_checkout ON orchestrapay_payments (checkout_id);
CREATE TABLE orchestrapay_refunds (
	uuid TEXT PRIMARY KEY,
	id BIGINT NOT NULL,
	organization_id TEXT NOT NULL,
	payment_uuid TEXT NOT NULL REFERENCES orchestrapay_payments (uuid),
	refund_id TEXT NOT NULL,
	idempotency_key TEXT NOT NULL,
	amount BIGINT NOT NULL,
	currency TEXT NOT NULL,
	status TEXT NOT NULL,
	sub_status TEXT NOT NULL,
	webhook_urls TEXT NOT NULL,
	webhook_secret_enc TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	UNIQUE (organization_id, id)
);
CREATE UNIQUE INDEX orchestrapay_refunds_idem ON orchestrapay_refunds (organization_id, idempotency_key) WHERE idempotency_key <> ''`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `
DROP TABLE orchestrapay_refunds; DROP TABLE orchestrapay_payments; DROP TABLE orchestrapay_intents; DROP TABLE counters`)
	})
}
