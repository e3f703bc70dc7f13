package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// The migration that names checkouts' clients and events' modes fills both
// in for the rows there were before it.
func TestClientsAndEventModesMigrated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := storetest.Seed(t, s, "a")
		newCheckout := func(ref, email, clientID string) *checkout.Checkout {
			c, err := checkout.Build(&checkout.CreateRequest{Amount: "1000", Currency: "EUR", ExternalReference: checkout.Text(ref),
				Email: email, ClientID: checkout.Text(clientID)},
				checkout.Settings{OrganizationID: f.OrgID, SiteID: f.SiteID, Mode: checkout.ModeTest, Source: checkout.SourceAPI,
					DefaultExpiry: time.Hour, MaxAmount: 1e9}, store.TimeNow())
			storetest.Must(t, err, "build")
			storetest.Must(t, s.CreateCheckout(ctx, c, nil), "checkout")
			return c
		}
		byEmail, byClient, nobody := newCheckout("r1", "Ana@example.com", ""), newCheckout("r2", "", "c-7"), newCheckout("r3", "", "")
		_, err := s.ExpireCheckout(ctx, f.OrgID, byEmail.ID)
		storetest.Must(t, err, "expire")

		db := s.Bun()
		for _, q := range []string{"DROP INDEX checkouts_client", "DROP INDEX outbox_events_org_mode",
			"ALTER TABLE sites DROP COLUMN deleted_at", "ALTER TABLE outbox_events DROP COLUMN site_id",
			"ALTER TABLE outbox_events DROP COLUMN mode", "ALTER TABLE checkouts DROP COLUMN client_key",
			"DELETE FROM bun_migrations WHERE name = '20261204010000'"} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		names, err := s.Migrate(ctx)
		storetest.Must(t, err, "migrate")
		if strings.Join(names, ",") != "20261204010000_clients_events" {
			t.Fatalf("migrated %v", names)
		}
		key := func(id string) string {
			var k string
			storetest.Must(t, db.NewRaw("SELECT client_key FROM checkouts WHERE id = ?", id).Scan(ctx, &k), "key")
			return k
		}
		if key(byEmail.ID) != checkout.ClientKey(f.OrgID, "", "ana@example.com", nil) || key(byClient.ID) != checkout.ClientKey(f.OrgID, "c-7", "", nil) || key(nobody.ID) != "" {
			t.Fatalf("client keys %q %q %q", key(byEmail.ID), key(byClient.ID), key(nobody.ID))
		}
		var mode, site string
		storetest.Must(t, db.NewRaw("SELECT mode, site_id FROM outbox_events WHERE subject_id = ?", byEmail.ID).Scan(ctx, &mode, &site), "event")
		if mode != "test" || site != f.SiteID {
			t.Fatalf("event mode %q site %q", mode, site)
		}
		cl, err := s.GetClient(ctx, f.OrgID, checkout.ModeTest, key(byEmail.ID))
		if err != nil || cl.Checkouts != 1 || cl.Latest.ID != byEmail.ID {
			t.Fatalf("client after the migration: %+v %v", cl, err)
		}
	})
}
