package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

func register20261121000000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, initialSchema)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `
DROP TABLE outbox_deliveries; DROP TABLE outbox_events; DROP TABLE idempotency_keys;
DROP TABLE transactions; DROP TABLE line_items; DROP TABLE checkouts; DROP TABLE api_keys;
DROP TABLE providers; DROP TABLE sites; DROP TABLE memberships; DROP TABLE users; DROP TABLE organizations`)
	})
}

const initialSchema = `
CREATE TABLE organizations (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE users (
	id TEXT PRIMARY KEY,
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE memberships (
	organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (organization_id, user_id)
);
CREATE TABLE sites (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL REFERENCES organizations (id),
	slug TEXT NOT NULL,
	display_name TEXT NOT NULL,
	logo_url TEXT NOT NULL,
	primary_color TEXT NOT NULL,
	font TEXT NOT NULL,
	corner_style TEXT NOT NULL,
	webhook_secret_enc TEXT NOT NULL,
	amount_units TEXT NOT NULL,
	default_expiry_seconds BIGINT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	UNIQUE (organization_id, slug)
);
CREATE TABLE providers (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL REFERENCES organizations (id),
	site_id TEXT NOT NULL REFERENCES sites (id),
	type TEXT NOT NULL,
	name TEXT NOT NULL,
	config_enc TEXT NOT NULL,
	enabled BOOLEAN NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX providers_site ON providers (site_id);
CREATE TABLE api_keys (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL REFERENCES organizations (id),
	name TEXT NOT NULL,
	mode TEXT NOT NULL,
	secret_hash TEXT NOT NULL,
	scopes TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	last_used_at TIMESTAMPTZ,
	revoked_at TIMESTAMPTZ
);
CREATE INDEX api_keys_org ON api_keys (organization_id);
CREATE TABLE checkouts (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL REFERENCES organizations (id),
	site_id TEXT NOT NULL REFERENCES sites (id),
	mode TEXT NOT NULL,
	session_public_id TEXT NOT NULL UNIQUE,
	short_code TEXT NOT NULL UNIQUE,
	status TEXT NOT NULL,
	currency TEXT NOT NULL,
	amount BIGINT NOT NULL,
	email TEXT NOT NULL,
	return_url TEXT NOT NULL,
	cancel_url TEXT NOT NULL,
	ipn_url TEXT NOT NULL,
	external_reference TEXT NOT NULL,
	invoice_number TEXT NOT NULL,
	client_id TEXT NOT NULL,
	billing_address TEXT,
	shipping_address TEXT,
	metadata TEXT NOT NULL,
	locale TEXT NOT NULL,
	source TEXT NOT NULL,
	source_ref TEXT NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	closed_at TIMESTAMPTZ,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX checkouts_org_created ON checkouts (organization_id, created_at);
CREATE INDEX checkouts_org_reference ON checkouts (organization_id, external_reference);
CREATE INDEX checkouts_open_expiry ON checkouts (status, expires_at);
CREATE TABLE line_items (
	checkout_id TEXT NOT NULL REFERENCES checkouts (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	name TEXT NOT NULL,
	description TEXT NOT NULL,
	quantity BIGINT NOT NULL,
	unit_price BIGINT NOT NULL,
	vat_rate TEXT NOT NULL,
	item_type TEXT NOT NULL,
	amount_type TEXT NOT NULL,
	PRIMARY KEY (checkout_id, position)
);
CREATE TABLE transactions (
	id TEXT PRIMARY KEY,
	checkout_id TEXT NOT NULL REFERENCES checkouts (id),
	organization_id TEXT NOT NULL REFERENCES organizations (id),
	site_id TEXT NOT NULL REFERENCES sites (id),
	provider_id TEXT NOT NULL,
	status TEXT NOT NULL,
	amount BIGINT NOT NULL,
	currency TEXT NOT NULL,
	provider_ref TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX transactions_checkout ON transactions (checkout_id);
CREATE INDEX transactions_org_created ON transactions (organization_id, created_at);
CREATE TABLE idempotency_keys (
	organization_id TEXT NOT NULL,
	idem_key TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	state TEXT NOT NULL,
	response_status INTEGER NOT NULL,
	response_body TEXT NOT NULL,
	locked_until TIMESTAMPTZ NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (organization_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
CREATE TABLE outbox_events (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL,
	type TEXT NOT NULL,
	subject_type TEXT NOT NULL,
	subject_id TEXT NOT NULL,
	payload TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX outbox_events_subject ON outbox_events (subject_id, created_at);
CREATE TABLE outbox_deliveries (
	id TEXT PRIMARY KEY,
	event_id TEXT NOT NULL REFERENCES outbox_events (id),
	sink TEXT NOT NULL,
	target TEXT NOT NULL,
	status TEXT NOT NULL,
	attempts INTEGER NOT NULL,
	next_attempt_at TIMESTAMPTZ NOT NULL,
	lease_until TIMESTAMPTZ,
	last_error TEXT NOT NULL,
	delivered_at TIMESTAMPTZ,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX outbox_deliveries_due ON outbox_deliveries (status, next_attempt_at)
`
