// Package buyermail writes the emails a payment causes: the buyer's receipt
// and refund notices, in the checkout's language, as plain text and HTML,
// and the operators' alerts about payments that need attention. They are
// queued in the outbox with the state change that causes them (a hook), and
// sent by the outbox worker (Sender) through the organization's own SMTP
// server or the system's, with retries and the delivery log.
package buyermail

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
	"github.com/pgw/pgw/internal/dispute"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/store"
)

// Sink names email deliveries in the outbox.
const Sink = "email"

// Kinds of email.
const (
	KindReceipt = "receipt"
	KindRefund  = "refund"
	KindAlert   = "alert"
)

// Admins is the target of an alert: the organization's admins, looked up
// when it is sent.
const Admins = "admins"

// job is what a queued email says; it is written when it is sent, from the
// records as they are then.
type job struct {
	Kind          string `json:"kind"`
	TransactionID string `json:"transactionId"`
	RefundID      string `json:"refundId,omitempty"`
	// Event is what an alert is about.
	Event string `json:"event,omitempty"`
}

// Install adds the hook that queues emails to the store. systemMail says
// the system has an SMTP server for organizations without their own.
func Install(s *store.Store, systemMail bool) {
	s.OnEvent("email", func(ctx context.Context, tx bun.Tx, c *checkout.Checkout, e *store.Event, t time.Time) error {
		return queue(ctx, tx, c, e, t, systemMail)
	})
}

func queue(ctx context.Context, tx bun.Tx, c *checkout.Checkout, e *store.Event, t time.Time, systemMail bool) error {
	var kind string
	switch e.Type {
	case "transaction.succeeded":
		kind = KindReceipt
	case "transaction.refunded":
		kind = KindRefund
	case store.EventOverpaid, store.EventPaidAfterClose, dispute.EventCreated:
		kind = KindAlert
	default:
		return nil
	}
	receipts, alerts, err := store.MailSends(ctx, tx, c.OrganizationID, systemMail)
	if err != nil || !receipts && !alerts {
		return err
	}
	j := job{Kind: kind}
	switch e.SubjectType {
	case "transaction":
		j.TransactionID = e.SubjectID
	case "refund":
		j.RefundID = e.SubjectID
		if err := tx.NewSelect().Model((*store.Refund)(nil)).Column("transaction_id").Where("id = ?", e.SubjectID).Scan(ctx, &j.TransactionID); err != nil {
			return fmt.Errorf("reading the refund: %w", err)
		}
	case "dispute":
		var p struct {
			TransactionID string `json:"transactionId"`
		}
		if err := json.Unmarshal([]byte(e.Payload), &p); err != nil {
			return fmt.Errorf("reading the dispute event: %w", err)
		}
		j.TransactionID = p.TransactionID
	}
	txn := new(checkout.Transaction)
	if err := tx.NewSelect().Model(txn).Where("id = ?", j.TransactionID).Scan(ctx); err != nil {
		return fmt.Errorf("reading the transaction: %w", err)
	}
	if kind == KindRefund && j.RefundID == "" {
		// A refund that completes the amount is the transaction's event: the
		// notice is of its latest refund, when we made one.
		err := tx.NewSelect().Model((*store.Refund)(nil)).Column("id").Where("transaction_id = ?", txn.ID).
			Where("status = ?", store.RefundSucceeded).OrderExpr("created_at DESC").Limit(1).Scan(ctx, &j.RefundID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("reading the refund: %w", err)
		}
	}
	var ds []*store.Delivery
	add := func(kind, target string) {
		j.Kind = kind
		if kind == KindAlert {
			j.Event = e.Type
		}
		body, _ := json.Marshal(j)
		ds = append(ds, &store.Delivery{ID: ids.New("dlv"), EventID: e.ID, OrganizationID: c.OrganizationID, SiteID: c.SiteID,
			CheckoutID: c.ID, SubjectID: txn.ID, Sink: Sink, Target: target, Body: string(body), Status: notify.Pending,
			NextAttemptAt: t, CreatedAt: t, UpdatedAt: t})
	}
	switch kind {
	case KindReceipt, KindRefund:
		if to := buyerEmail(c, txn); receipts && to != "" {
			add(kind, to)
		}
	case KindAlert:
		if alerts {
			add(KindAlert, Admins)
		}
	}
	if len(ds) == 0 {
		return nil
	}
	if _, err := tx.NewInsert().Model(&ds).Exec(ctx); err != nil {
		return fmt.Errorf("queueing email: %w", err)
	}
	return nil
}

// buyerEmail is where the buyer's emails go: the checkout's email, else the
// one typed on the page.
func buyerEmail(c *checkout.Checkout, t *checkout.Transaction) string {
	if c.Email != "" {
		return c.Email
	}
	if t.BillingAddress != nil {
		return strings.TrimSpace(t.BillingAddress.Email)
	}
	return ""
}
