package intandem_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/adapter/intandem"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

var ctx = context.Background()

// Payments that inTandem holds under their transaction id, from before charge
// keys were secrets of their own, stay refundable by it after the migration;
// payments after it are refundable only by their key.
func TestIntandemLegacyChargeKeysMigrated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := storetest.Seed(t, s, "a")
		data := intandem.NewData(s)
		pay := func(source checkout.Source, ref string) *checkout.Transaction {
			c, err := checkout.Build(&checkout.CreateRequest{Amount: "1000", Currency: "EUR", ExternalReference: checkout.Text(ref)},
				checkout.Settings{OrganizationID: f.OrgID, SiteID: f.SiteID, Mode: checkout.ModeTest, Source: source, DefaultExpiry: time.Hour, MaxAmount: 1e9},
				store.TimeNow())
			storetest.Must(t, err, "build")
			storetest.Must(t, s.CreateCheckout(ctx, c, nil), "checkout")
			tx := &checkout.Transaction{ID: "txn_" + ref, CheckoutID: c.ID, OrganizationID: f.OrgID, SiteID: f.SiteID, Status: checkout.TxInitiated,
				Amount: c.Amount, Currency: c.Currency, CreatedAt: store.TimeNow(), UpdatedAt: store.TimeNow()}
			_, _, err = s.CreateTransaction(ctx, c, tx)
			storetest.Must(t, err, "transaction")
			return tx
		}
		old, api := pay(checkout.SourceIntandem, "old"), pay(checkout.SourceAPI, "api")

		// Back to the schema before the migration, then forward again.
		db := s.Bun()
		for _, q := range []string{"DROP TABLE intandem_charge_keys", "DELETE FROM bun_migrations WHERE name = '20261203090000'"} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		names, err := s.Migrate(ctx)
		storetest.Must(t, err, "migrate")
		if strings.Join(names, ",") != "20261203090000_intandem_charge_keys" {
			t.Fatalf("migrated %v", names)
		}

		if got, err := data.TransactionByChargeKey(ctx, old.ID); err != nil || got.ID != old.ID {
			t.Fatalf("legacy key of an inTandem payment: %v %v", got, err)
		}
		if _, err := data.TransactionByChargeKey(ctx, api.ID); err == nil {
			t.Fatal("a payment that never went through inTandem has a charge key")
		}
		fresh := pay(checkout.SourceIntandem, "new")
		key, err := data.IssueChargeKey(ctx, f.OrgID, fresh.ID)
		storetest.Must(t, err, "issue")
		again, err := data.IssueChargeKey(ctx, f.OrgID, fresh.ID)
		storetest.Must(t, err, "issue again")
		if key != again || len(key) < 3+22 || strings.Contains(key, fresh.ID) {
			t.Fatalf("keys %q %q", key, again)
		}
		if got, err := data.TransactionByChargeKey(ctx, key); err != nil || got.ID != fresh.ID {
			t.Fatalf("new key: %v %v", got, err)
		}
		if _, err := data.TransactionByChargeKey(ctx, fresh.ID); err == nil {
			t.Fatal("a new payment is found by its transaction id")
		}
		var stored int
		storetest.Must(t, db.NewSelect().Table("intandem_charge_keys").ColumnExpr("count(*)").
			Where("key_hash LIKE ?", "%"+key[3:10]+"%").Scan(ctx, &stored), "count")
		if stored != 0 {
			t.Fatal("the key itself is stored")
		}
	})
}
