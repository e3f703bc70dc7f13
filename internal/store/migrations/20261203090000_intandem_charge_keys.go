package migrations

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// inTandem's charge_key becomes a secret of its own, kept only as its SHA-256.
// Payments made before it was one were handed to inTandem under their
// transaction id; those ids are recorded as legacy keys so that inTandem can
// still refund them.
func register20261203090000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		if err := execAll(ctx, db, `
CREATE TABLE intandem_charge_keys (
	key_hash TEXT PRIMARY KEY,
	transaction_id TEXT NOT NULL REFERENCES transactions (id),
	organization_id TEXT NOT NULL,
	legacy BOOLEAN NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX intandem_charge_keys_transaction ON intandem_charge_keys (transaction_id)`); err != nil {
			return err
		}
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT t.id, t.organization_id FROM transactions t
JOIN checkouts c ON c.id = t.checkout_id WHERE c.source = 'intandem'`)
			if err != nil {
				return fmt.Errorf("listing inTandem transactions: %w", err)
			}
			var legacy [][2]string
			for rows.Next() {
				var id, org string
				if err := rows.Scan(&id, &org); err != nil {
					rows.Close()
					return fmt.Errorf("listing inTandem transactions: %w", err)
				}
				legacy = append(legacy, [2]string{id, org})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("listing inTandem transactions: %w", err)
			}
			now := time.Now().UTC()
			for _, r := range legacy {
				sum := sha256.Sum256([]byte(r[0]))
				if _, err := tx.ExecContext(ctx, `INSERT INTO intandem_charge_keys (key_hash, transaction_id, organization_id, legacy, created_at)
VALUES (?, ?, ?, ?, ?)`, hex.EncodeToString(sum[:]), r[0], r[1], true, now); err != nil {
					return fmt.Errorf("recording the legacy charge key of %s: %w", r[0], err)
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `DROP TABLE intandem_charge_keys`)
	})
}
