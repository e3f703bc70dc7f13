package migrations

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/pgw/pgw/internal/checkout"
)

// Clients and events through the API: each checkout names the client it
// counts for (a hash of its clientId or email), each event the mode and site
// of its checkout, and a site can be deleted (kept for its history, hidden).
func register20261204010000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		if err := execAll(ctx, db, `ALTER TABLE checkouts ADD COLUMN client_key TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_events ADD COLUMN mode TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_events ADD COLUMN site_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN deleted_at TIMESTAMPTZ;
UPDATE outbox_events SET mode = COALESCE(
	(SELECT c.mode FROM checkouts c WHERE c.id = outbox_events.subject_id),
	(SELECT c.mode FROM transactions t JOIN checkouts c ON c.id = t.checkout_id WHERE t.id = outbox_events.subject_id),
	(SELECT c.mode FROM disputes d JOIN checkouts c ON c.id = d.checkout_id WHERE d.id = outbox_events.subject_id),
	(SELECT c.mode FROM outbox_deliveries o JOIN checkouts c ON c.id = o.checkout_id WHERE o.event_id = outbox_events.id LIMIT 1),
	''), site_id = COALESCE(
	(SELECT c.site_id FROM checkouts c WHERE c.id = outbox_events.subject_id),
	(SELECT t.site_id FROM transactions t WHERE t.id = outbox_events.subject_id),
	(SELECT c.site_id FROM disputes d JOIN checkouts c ON c.id = d.checkout_id WHERE d.id = outbox_events.subject_id),
	(SELECT o.site_id FROM outbox_deliveries o WHERE o.event_id = outbox_events.id LIMIT 1),
	'');
CREATE INDEX outbox_events_org_mode ON outbox_events (organization_id, mode, created_at)`); err != nil {
			return err
		}
		if err := fillClientKeys(ctx, db); err != nil {
			return err
		}
		return execAll(ctx, db, `CREATE INDEX checkouts_client ON checkouts (organization_id, mode, client_key, created_at)`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `DROP INDEX checkouts_client; DROP INDEX outbox_events_org_mode;
ALTER TABLE sites DROP COLUMN deleted_at;
ALTER TABLE outbox_events DROP COLUMN site_id; ALTER TABLE outbox_events DROP COLUMN mode;
ALTER TABLE checkouts DROP COLUMN client_key`)
	})
}

// fillClientKeys gives the checkouts there are their client, a thousand at a
// time.
func fillClientKeys(ctx context.Context, db *bun.DB) error {
	type row struct {
		ID             string
		OrganizationID string
		ClientID       string
		Email          string
		BillingAddress []byte
	}
	for after := ""; ; {
		var rows []row
		if err := db.NewRaw(`SELECT id, organization_id, client_id, email, billing_address FROM checkouts WHERE id > ? ORDER BY id LIMIT 1000`, after).
			Scan(ctx, &rows); err != nil {
			return fmt.Errorf("reading checkouts for their clients: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, r := range rows {
				var billing *checkout.Address
				if len(r.BillingAddress) > 0 {
					_ = json.Unmarshal(r.BillingAddress, &billing) // an unreadable address names no client
				}
				key := checkout.ClientKey(r.OrganizationID, r.ClientID, r.Email, billing)
				if key == "" {
					continue
				}
				if _, err := tx.ExecContext(ctx, "UPDATE checkouts SET client_key = ? WHERE id = ?", key, r.ID); err != nil {
					return fmt.Errorf("naming checkout %s's client: %w", r.ID, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		after = rows[len(rows)-1].ID
	}
}
