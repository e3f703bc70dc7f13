package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/ids"
)

// EventKind is what a provider's event means for our transaction.
type EventKind int

// Kinds of provider events.
const (
	EventOther EventKind = iota
	EventSucceeded
	EventFailed
	EventCanceled
	EventRefunded
	// EventDispute reports a dispute, new or changed.
	EventDispute
)

// ProviderEvent is one event of a provider about one of our transactions.
type ProviderEvent struct {
	ProviderID     string
	EventID        string
	Type           string
	Kind           EventKind
	FailureMessage string
	// AmountRefunded is the total the provider has refunded (EventRefunded).
	AmountRefunded int64
	// Dispute is the dispute reported (EventDispute).
	Dispute DisputeChange
}

type providerEventRow struct {
	bun.BaseModel `bun:"table:provider_events"`
	ProviderID    string    `bun:",pk"`
	EventID       string    `bun:",pk"`
	Type          string    `bun:",notnull"`
	ReceivedAt    time.Time `bun:",notnull"`
}

// ApplyProviderEvent applies ev to transaction txID of checkout c exactly
// once: the event id is recorded in the same database transaction as the
// change, and a repeated event changes nothing (applied=false). Reports that
// come late or out of order move nothing either.
//
// Success moves the checkout to complete when it is still open; when it is
// not (expired, canceled, paid by another attempt) the money is recorded all
// the same, the attempt succeeds and is flagged for the operator.
func (s *Store) ApplyProviderEvent(ctx context.Context, c *checkout.Checkout, txID string, ev ProviderEvent) (applied bool, err error) {
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		t := now()
		res, err := tx.NewInsert().Model(&providerEventRow{ProviderID: ev.ProviderID, EventID: ev.EventID, Type: ev.Type, ReceivedAt: t}).
			On("CONFLICT (provider_id, event_id) DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("recording provider event: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			applied = false
			return nil
		}
		applied = true
		pending := []checkout.TxStatus{checkout.TxInitiated, checkout.TxPendingProvider}
		switch ev.Kind {
		case EventSucceeded:
			// The provider's word that money moved is final: it is recorded from
			// any unfinished state (a PaymentIntent may succeed after a failed
			// try, or just as we canceled it), and only then the checkout closes.
			from := []checkout.TxStatus{checkout.TxInitiated, checkout.TxPendingProvider, checkout.TxFailed, checkout.TxCancelled}
			return s.moneyArrived(ctx, tx, c, txID, from, t)
		case EventFailed:
			_, err := s.transition(ctx, tx, c, txID, pending, checkout.TxFailed, t,
				map[string]any{"failure_code": "payment_failed", "failure_message": ev.FailureMessage})
			return err
		case EventCanceled:
			_, err := s.transition(ctx, tx, c, txID, pending, checkout.TxCancelled, t, nil)
			return err
		case EventRefunded:
			return s.recordRefunded(ctx, tx, c, txID, ev.AmountRefunded, t)
		case EventDispute:
			return s.applyProviderDispute(ctx, tx, c, txID, ev.Dispute, t)
		}
		return nil
	})
	return applied, err
}

// recordRefunded takes a provider's total refunded amount: it only ever grows
// the recorded sum (refunds we made are counted already), never beyond the
// amount, and a full refund moves the attempt to refunded.
func (s *Store) recordRefunded(ctx context.Context, tx bun.Tx, c *checkout.Checkout, txID string, total int64, t time.Time) error {
	before := new(checkout.Transaction)
	if err := tx.NewSelect().Model(before).Column("refunded_amount", "amount").Where("id = ?", txID).Scan(ctx); err != nil {
		return fmt.Errorf("reading refunded amount: %w", err)
	}
	_, err := tx.NewUpdate().Model((*checkout.Transaction)(nil)).
		Set("refunded_amount = CASE WHEN ? > amount THEN amount ELSE ? END", total, total).Set("updated_at = ?", t).
		Where("id = ?", txID).Where("refunded_amount < ?", total).Exec(ctx)
	if err != nil {
		return fmt.Errorf("recording refund: %w", err)
	}
	// Money the provider refunded beyond what we recorded (a refund made in
	// its own dashboard) takes its share out of the tax ledger too.
	if delta := min(total, before.Amount) - before.RefundedAmount; delta > 0 {
		if err := s.ledgerRefund(ctx, tx, &Refund{ID: ids.New("prf"), TransactionID: txID, Amount: delta}, t); err != nil {
			return err
		}
	}
	return s.refundedInFull(ctx, tx, c, txID, t)
}

// refundedInFull moves a succeeded attempt whose refunds reached its amount to
// refunded, with its event.
func (s *Store) refundedInFull(ctx context.Context, tx bun.Tx, c *checkout.Checkout, txID string, t time.Time) error {
	var full bool
	if err := tx.NewSelect().Model((*checkout.Transaction)(nil)).ColumnExpr("refunded_amount >= amount").
		Where("id = ?", txID).Scan(ctx, &full); err != nil {
		return fmt.Errorf("reading refunded amount: %w", err)
	}
	if !full {
		return nil
	}
	_, err := s.transition(ctx, tx, c, txID, []checkout.TxStatus{checkout.TxSucceeded}, checkout.TxRefunded, t, nil)
	return err
}

// flagPaidAfterClose marks money that arrived for a checkout no longer open,
// with an event of its own (no IPN: the status change had its own) that the
// operators' alerts follow.
func (s *Store) flagPaidAfterClose(ctx context.Context, tx bun.Tx, c *checkout.Checkout, txID string, t time.Time) error {
	if _, err := tx.NewUpdate().Model((*checkout.Transaction)(nil)).Set("flag = ?", checkout.FlagPaidAfterClose).
		Where("id = ?", txID).Exec(ctx); err != nil {
		return fmt.Errorf("flagging the transaction: %w", err)
	}
	moved := new(checkout.Transaction)
	if err := tx.NewSelect().Model(moved).Where("id = ?", txID).Scan(ctx); err != nil {
		return fmt.Errorf("reloading transaction: %w", err)
	}
	// A microsecond after the success it follows, so that the two events
	// keep their order.
	return s.addEvent(ctx, tx, c, EventPaidAfterClose, "transaction", txID, txPayload(c, moved), t.Add(time.Microsecond))
}
