package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
)

// CreateTransaction stores a new payment attempt. When an attempt with the same
// checkout and attempt key exists (a replayed form or request), that one is
// returned with created=false and nothing is written.
func (s *Store) CreateTransaction(ctx context.Context, c *checkout.Checkout, t *checkout.Transaction) (got *checkout.Transaction, created bool, err error) {
	return s.CreateTaxedTransaction(ctx, c, t, nil)
}

// CreateTaxedTransaction is CreateTransaction with the tax decision frozen
// on the new attempt in the same database transaction (nil for none).
func (s *Store) CreateTaxedTransaction(ctx context.Context, c *checkout.Checkout, t *checkout.Transaction, frozen *TransactionTax) (got *checkout.Transaction, created bool, err error) {
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		got, created = t, true
		res, err := tx.NewInsert().Model(t).On("CONFLICT (checkout_id, attempt_key) WHERE attempt_key <> '' DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("inserting transaction: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			if frozen != nil {
				frozen.TransactionID, frozen.OrganizationID = t.ID, t.OrganizationID
				if _, err := tx.NewInsert().Model(frozen).Exec(ctx); err != nil {
					return fmt.Errorf("freezing the tax decision: %w", err)
				}
			}
			payload := txPayload(c, t)
			if frozen != nil {
				withTaxTotals(payload, frozen)
			}
			return s.addEvent(ctx, tx, c, "transaction.initiated", "transaction", t.ID, payload, t.CreatedAt)
		}
		got, created = new(checkout.Transaction), false
		return tx.NewSelect().Model(got).Where("checkout_id = ?", t.CheckoutID).Where("attempt_key = ?", t.AttemptKey).Scan(ctx)
	})
	return got, created, err
}

// GetTransactionUnscoped returns an attempt by id for any organization; only
// for callers that reached it through a capability or a provider's own id.
func (s *Store) GetTransactionUnscoped(ctx context.Context, id string) (*checkout.Transaction, error) {
	t := new(checkout.Transaction)
	if err := s.read.NewSelect().Model(t).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "transaction")
	}
	return t, nil
}

// SetProviderRef records the provider's id of an attempt (a PaymentIntent id).
func (s *Store) SetProviderRef(ctx context.Context, txID, ref string) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*checkout.Transaction)(nil)).Set("provider_ref = ?", ref).Set("updated_at = ?", now()).
			Where("id = ?", txID).Exec(ctx)
		return err
	})
}

// FindTransactionByRef finds the attempt a provider knows by ref. An attempt of
// another provider is not found.
func (s *Store) FindTransactionByRef(ctx context.Context, providerID, ref string) (*checkout.Transaction, error) {
	t := new(checkout.Transaction)
	if err := s.read.NewSelect().Model(t).Where("provider_id = ?", providerID).Where("provider_ref = ?", ref).Scan(ctx); err != nil {
		return nil, notFound(err, "transaction")
	}
	return t, nil
}

// PendingTransactions returns a checkout's attempts that are still pending.
func (s *Store) PendingTransactions(ctx context.Context, checkoutID string) ([]*checkout.Transaction, error) {
	var ts []*checkout.Transaction
	err := s.read.NewSelect().Model(&ts).Where("checkout_id = ?", checkoutID).
		Where("status IN (?)", bun.In([]checkout.TxStatus{checkout.TxInitiated, checkout.TxPendingProvider})).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing pending transactions: %w", err)
	}
	return ts, nil
}

// FindAttempt returns the attempt made on a checkout with an attempt key.
func (s *Store) FindAttempt(ctx context.Context, checkoutID, key string) (*checkout.Transaction, error) {
	t := new(checkout.Transaction)
	if err := s.read.NewSelect().Model(t).Where("checkout_id = ?", checkoutID).Where("attempt_key = ?", key).Scan(ctx); err != nil {
		return nil, notFound(err, "transaction")
	}
	return t, nil
}

// ErrTransactionFinal means the attempt has already succeeded, failed or been
// cancelled.
var ErrTransactionFinal = errs.New(errs.Conflict, "transaction_not_pending", "only a pending transaction can be cancelled")

// Completion of CompletePayment.
type Completion int

// Outcomes of a successful charge.
const (
	// Paid: the attempt succeeded and the checkout is complete.
	Paid Completion = iota
	// NotOpen: the checkout was paid, expired or canceled first; the attempt
	// is recorded as failed with code checkout_not_open.
	NotOpen
)

// Charge is what a provider reported about a successful attempt.
type Charge struct {
	ProviderRef string
	CardBrand   string
	CardLast4   string
}

// CompletePayment records a successful charge: in one transaction the checkout
// moves from open to complete, the attempt to succeeded, and both events are
// written. When the checkout is no longer open the attempt is marked failed
// instead, in the same transaction, and the outcome says so.
func (s *Store) CompletePayment(ctx context.Context, c *checkout.Checkout, txID string, ch Charge) (Completion, error) {
	var out Completion
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		t := now()
		err := s.closeCheckout(ctx, tx, c.OrganizationID, c.ID, checkout.StatusComplete, t)
		switch {
		case errors.Is(err, checkout.ErrNotOpen):
			out = NotOpen
			return s.moveTransaction(ctx, tx, c, txID, checkout.TxFailed, t, map[string]any{
				"failure_code": "checkout_not_open", "failure_message": "This checkout is already paid, expired or canceled.",
				"card_brand": ch.CardBrand, "card_last4": ch.CardLast4,
			})
		case err != nil:
			return err
		}
		out = Paid
		return s.moveTransaction(ctx, tx, c, txID, checkout.TxSucceeded, t, map[string]any{
			"provider_ref": ch.ProviderRef, "card_brand": ch.CardBrand, "card_last4": ch.CardLast4,
		})
	})
	return out, err
}

// FailTransaction records a declined or failed attempt; the checkout stays open.
func (s *Store) FailTransaction(ctx context.Context, c *checkout.Checkout, txID, code, message string, ch Charge) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return s.moveTransaction(ctx, tx, c, txID, checkout.TxFailed, now(), map[string]any{
			"failure_code": code, "failure_message": message, "card_brand": ch.CardBrand, "card_last4": ch.CardLast4,
		})
	})
}

// CancelTransaction cancels an attempt that is still pending.
func (s *Store) CancelTransaction(ctx context.Context, c *checkout.Checkout, txID string) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return s.moveTransaction(ctx, tx, c, txID, checkout.TxCancelled, now(), nil)
	})
}

// moveTransaction moves a pending attempt to a final state with its event.
func (s *Store) moveTransaction(ctx context.Context, tx bun.Tx, c *checkout.Checkout, id string, to checkout.TxStatus, t time.Time, set map[string]any) error {
	moved, err := s.transition(ctx, tx, c, id, []checkout.TxStatus{checkout.TxInitiated, checkout.TxPendingProvider}, to, t, set)
	if err == nil && !moved {
		return fmt.Errorf("transaction %s: %w", id, ErrTransactionFinal)
	}
	return err
}

// transition moves an attempt from one of from to `to`, setting set and
// writing the event, and reports whether it moved (it does not when the
// attempt is in another state: a late or repeated report changes nothing).
func (s *Store) transition(ctx context.Context, tx bun.Tx, c *checkout.Checkout, id string, from []checkout.TxStatus, to checkout.TxStatus, t time.Time, set map[string]any) (bool, error) {
	q := tx.NewUpdate().Model((*checkout.Transaction)(nil)).Set("status = ?", to).Set("updated_at = ?", t).
		Where("id = ?", id).Where("checkout_id = ?", c.ID).Where("status IN (?)", bun.In(from))
	for col, v := range set {
		q = q.Set("? = ?", bun.Ident(col), v)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("updating transaction: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	moved := new(checkout.Transaction)
	if err := tx.NewSelect().Model(moved).Where("id = ?", id).Scan(ctx); err != nil {
		return false, fmt.Errorf("reloading transaction: %w", err)
	}
	if to == checkout.TxSucceeded {
		if err := s.ledgerPayment(ctx, tx, id, t); err != nil {
			return false, err
		}
	}
	payload := txPayload(c, moved)
	frozen := new(TransactionTax)
	if err := tx.NewSelect().Model(frozen).Where("transaction_id = ?", id).Scan(ctx); err == nil {
		withTaxTotals(payload, frozen)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("loading the frozen tax: %w", err)
	}
	return true, s.addEvent(ctx, tx, c, "transaction."+string(to), "transaction", id, payload, t)
}

// withTaxTotals adds a taxed payment's totals to its event's object.
func withTaxTotals(p map[string]any, t *TransactionTax) {
	p["amountSubtotal"], p["amountTax"], p["amountTotal"] = t.Subtotal, t.Tax, t.Total
}

// txPayload is the object of a transaction event, as merchants see it.
func txPayload(c *checkout.Checkout, t *checkout.Transaction) map[string]any {
	return map[string]any{
		"id": t.ID, "checkoutId": t.CheckoutID, "status": t.Status, "statusCode": t.Status.Code(),
		"amount": t.Amount, "currency": t.Currency, "externalReference": c.ExternalReference,
		"failureCode": t.FailureCode, "failureMessage": t.FailureMessage,
		"cardBrand": t.CardBrand, "cardLast4": t.CardLast4, "updatedAt": t.UpdatedAt,
	}
}
