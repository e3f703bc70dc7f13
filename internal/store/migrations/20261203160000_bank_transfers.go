package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// Bank transfers: the payment reference, due date and money received of each
// transfer a buyer was asked for; every credit recorded (by hand or from a
// statement), matched or not, each bank entry at most once per organization
// and mode; the statements uploaded; and each organization's CSV profile.
func register20261203160000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `
CREATE TABLE bank_transfers (
	transaction_id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL,
	checkout_id TEXT NOT NULL,
	mode TEXT NOT NULL,
	reference TEXT NOT NULL,
	amount BIGINT NOT NULL,
	currency TEXT NOT NULL,
	amount_received BIGINT NOT NULL,
	excess BIGINT NOT NULL,
	excess_resolution TEXT NOT NULL,
	excess_note TEXT NOT NULL,
	late BOOLEAN NOT NULL,
	due_at TIMESTAMPTZ NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX bank_transfers_reference ON bank_transfers (organization_id, reference);
CREATE INDEX bank_transfers_checkout ON bank_transfers (checkout_id);
CREATE TABLE bank_receipts (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL,
	mode TEXT NOT NULL,
	entry_key TEXT NOT NULL,
	statement_id TEXT NOT NULL,
	source TEXT NOT NULL,
	status TEXT NOT NULL,
	reason TEXT NOT NULL,
	transaction_id TEXT NOT NULL,
	amount BIGINT NOT NULL,
	currency TEXT NOT NULL,
	received_at TIMESTAMPTZ NOT NULL,
	bank_reference TEXT NOT NULL,
	remittance TEXT NOT NULL,
	counterparty TEXT NOT NULL,
	note TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX bank_receipts_entry ON bank_receipts (organization_id, mode, entry_key) WHERE entry_key <> '';
CREATE INDEX bank_receipts_transaction ON bank_receipts (transaction_id);
CREATE INDEX bank_receipts_status ON bank_receipts (organization_id, mode, status, created_at);
CREATE TABLE bank_statements (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL,
	mode TEXT NOT NULL,
	format TEXT NOT NULL,
	filename TEXT NOT NULL,
	entries_read INTEGER NOT NULL,
	skipped INTEGER NOT NULL,
	matched INTEGER NOT NULL,
	already_applied INTEGER NOT NULL,
	unmatched INTEGER NOT NULL,
	uploaded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX bank_statements_org ON bank_statements (organization_id, mode, uploaded_at);
CREATE TABLE bank_csv_profiles (
	organization_id TEXT PRIMARY KEY,
	profile TEXT NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
)`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `DROP TABLE bank_csv_profiles; DROP TABLE bank_statements; DROP TABLE bank_receipts; DROP TABLE bank_transfers`)
	})
}
