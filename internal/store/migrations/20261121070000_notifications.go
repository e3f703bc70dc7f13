package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// Deliveries carry their own body, ordering and lease; every attempt is
// logged; sites get typed webhook endpoints and keep their previous signing
// secret during a rotation.
func register20261121070000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `
ALTER TABLE outbox_deliveries ADD COLUMN organization_id TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_deliveries ADD COLUMN site_id TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_deliveries ADD COLUMN checkout_id TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_deliveries ADD COLUMN subject_id TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_deliveries ADD COLUMN ordering_key TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_deliveries ADD COLUMN body TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_deliveries ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_deliveries ADD COLUMN expires_at TIMESTAMPTZ;
ALTER TABLE outbox_deliveries ADD COLUMN last_status INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_deliveries_order ON outbox_deliveries (ordering_key, created_at);
CREATE INDEX outbox_deliveries_org ON outbox_deliveries (organization_id, created_at);
CREATE TABLE delivery_attempts (
	id TEXT PRIMARY KEY,
	delivery_id TEXT NOT NULL REFERENCES outbox_deliveries (id),
	attempted_at TIMESTAMPTZ NOT NULL,
	http_status INTEGER NOT NULL,
	latency_ms BIGINT NOT NULL,
	error TEXT NOT NULL,
	response TEXT NOT NULL
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, attempted_at);
CREATE TABLE webhook_endpoints (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL REFERENCES organizations (id),
	site_id TEXT NOT NULL REFERENCES sites (id),
	url TEXT NOT NULL,
	events TEXT NOT NULL,
	enabled BOOLEAN NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_endpoints_site ON webhook_endpoints (site_id);
ALTER TABLE sites ADD COLUMN previous_webhook_secret_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN previous_secret_until TIMESTAMPTZ`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `
ALTER TABLE sites DROP COLUMN previous_secret_until;
ALTER TABLE sites DROP COLUMN previous_webhook_secret_enc;
DROP TABLE webhook_endpoints;
DROP TABLE delivery_attempts;
DROP INDEX outbox_deliveries_org;
DROP INDEX outbox_deliveries_order;
ALTER TABLE outbox_deliveries DROP COLUMN last_status;
ALTER TABLE outbox_deliveries DROP COLUMN expires_at;
ALTER TABLE outbox_deliveries DROP COLUMN lease_owner;
ALTER TABLE outbox_deliveries DROP COLUMN body;
ALTER TABLE outbox_deliveries DROP COLUMN ordering_key;
ALTER TABLE outbox_deliveries DROP COLUMN subject_id;
ALTER TABLE outbox_deliveries DROP COLUMN checkout_id;
ALTER TABLE outbox_deliveries DROP COLUMN site_id;
ALTER TABLE outbox_deliveries DROP COLUMN organization_id`)
	})
}
