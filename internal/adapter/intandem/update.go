package intandem

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/store"
)

// Install adds inTandem's hook to the store: when a checkout inTandem sent us
// is paid, the same transaction queues the checkout update for inTandem.
func Install(s *store.Store) { s.OnEvent("intandem", queueUpdate) }

// queueUpdate tells inTandem that a checkout it sent us was paid: a PUT of the
// checkout update, retried until accepted (Sink sends it).
func queueUpdate(ctx context.Context, tx bun.Tx, c *checkout.Checkout, e *store.Event, t time.Time) error {
	if c.Source != checkout.SourceIntandem || e.Type != "transaction.succeeded" {
		return nil
	}
	rest, ok := strings.CutPrefix(c.SourceRef, "checkout:")
	if !ok {
		return nil // a back-office charge: inTandem asked and has its answer
	}
	_, urlKey, _ := strings.Cut(rest, ":")
	conn := new(Connection)
	if err := tx.NewSelect().Model(conn).Where("site_id = ?", c.SiteID).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	}
	cur, err := money.ParseCurrency(c.Currency)
	if err != nil {
		return err
	}
	// The transaction_id inTandem refunds by is the payment's charge key, a
	// secret: Sink adds it when it sends, so it is never stored.
	body, err := json.Marshal(map[string]any{
		"url_key": urlKey, "type": "checkout.session.completed",
		"created": t.UTC().Format(time.RFC3339), "amount": json.Number(money.Format(c.Amount, cur)),
		"payment_method": "Credit Card",
	})
	if err != nil {
		return err
	}
	d := &store.Delivery{ID: ids.New("dlv"), EventID: e.ID, OrganizationID: c.OrganizationID, SiteID: c.SiteID, CheckoutID: c.ID,
		SubjectID: e.SubjectID, Sink: notify.SinkIntandem, Target: strings.TrimRight(conn.APIBase, "/") + "/platform/v1/payment/checkout/",
		OrderingKey: "intandem:" + c.ID, Body: string(body), Status: notify.Pending, NextAttemptAt: t, CreatedAt: t, UpdatedAt: t}
	if _, err := tx.NewInsert().Model(d).Exec(ctx); err != nil {
		return fmt.Errorf("writing inTandem checkout update: %w", err)
	}
	return nil
}
