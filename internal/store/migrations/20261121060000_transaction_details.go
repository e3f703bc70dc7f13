package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// Payment attempts record what the buyer saw (card brand and last four, never
// the number), why a payment failed, and the form submission that made them,
// so that a replayed submission finds its first attempt.
func register20261121060000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `
ALTER TABLE transactions ADD COLUMN attempt_key TEXT NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN card_brand TEXT NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN card_last4 TEXT NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN failure_code TEXT NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN failure_message TEXT NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN billing_address TEXT;
CREATE UNIQUE INDEX transactions_attempt ON transactions (checkout_id, attempt_key) WHERE attempt_key <> ''`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `
DROP INDEX transactions_attempt;
ALTER TABLE transactions DROP COLUMN billing_address;
ALTER TABLE transactions DROP COLUMN failure_message;
ALTER TABLE transactions DROP COLUMN failure_code;
ALTER TABLE transactions DROP COLUMN card_last4;
ALTER TABLE transactions DROP COLUMN card_brand;
ALTER TABLE transactions DROP COLUMN attempt_key`)
	})
}
