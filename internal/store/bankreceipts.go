package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
)

// Results of recording money.
const (
	// ReceivedPartly: less than due so far; the transfer stays pending.
	ReceivedPartly = "partially_paid"
	// ReceivedInFull: the amount is reached exactly and the payment succeeded.
	ReceivedInFull = "paid"
	// ReceivedOver: more than due; the payment succeeded and the excess
	// waits for the operator.
	ReceivedOver = "overpaid"
	// ReceivedLate: the transfer had been closed; the money is recorded and
	// flagged (a full amount still makes the payment succeed).
	ReceivedLate = "late"
	// AlreadyApplied: the bank entry was recorded before; nothing changed.
	AlreadyApplied = "already_applied"
)

// Receipt is the outcome of recording money.
type Receipt struct {
	Result   string
	Receipt  *BankReceipt
	Transfer *BankTransfer
}

// ReceiveBankMoney records a credit for the bank transfer of r.TransactionID
// and applies it, in one transaction with the events it causes: a partial
// amount is added up, the amount reached completes the payment (exactly
// once, however many receipts race), more than due is flagged as excess, and
// money for a closed transfer is kept and flagged late. A receipt whose
// entry key was recorded before changes nothing (AlreadyApplied).
func (s *Store) ReceiveBankMoney(ctx context.Context, r *BankReceipt) (*Receipt, error) {
	var out *Receipt
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		out = nil
		row := *r
		row.Status, row.Reason = ReceiptApplied, ""
		inserted, err := insertReceipt(ctx, tx, &row)
		if err != nil || !inserted {
			if err == nil {
				out, err = s.alreadyRecorded(ctx, tx, &row)
			}
			return err
		}
		out, err = s.applyReceipt(ctx, tx, &row, row.CreatedAt)
		return err
	})
	return out, err
}

// RecordUnmatched keeps a credit no transfer claims, for the operator. An
// entry recorded before changes nothing (AlreadyApplied).
func (s *Store) RecordUnmatched(ctx context.Context, r *BankReceipt) (*Receipt, error) {
	var out *Receipt
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := *r
		row.Status, row.TransactionID = ReceiptUnmatched, ""
		inserted, err := insertReceipt(ctx, tx, &row)
		if err != nil {
			return err
		}
		if !inserted {
			out, err = s.alreadyRecorded(ctx, tx, &row)
			return err
		}
		out = &Receipt{Result: ReceiptUnmatched, Receipt: &row}
		return nil
	})
	return out, err
}

func insertReceipt(ctx context.Context, tx bun.Tx, r *BankReceipt) (bool, error) {
	res, err := tx.NewInsert().Model(r).On("CONFLICT (organization_id, mode, entry_key) WHERE entry_key <> '' DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("recording a bank credit: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func (s *Store) alreadyRecorded(ctx context.Context, tx bun.Tx, r *BankReceipt) (*Receipt, error) {
	prev := new(BankReceipt)
	if err := tx.NewSelect().Model(prev).Where("organization_id = ?", r.OrganizationID).Where("mode = ?", r.Mode).
		Where("entry_key = ?", r.EntryKey).Scan(ctx); err != nil {
		return nil, fmt.Errorf("loading the recorded credit: %w", err)
	}
	out := &Receipt{Result: AlreadyApplied, Receipt: prev}
	if prev.TransactionID != "" {
		bt := new(BankTransfer)
		if err := tx.NewSelect().Model(bt).Where("transaction_id = ?", prev.TransactionID).Scan(ctx); err == nil {
			out.Transfer = bt
		}
	}
	return out, nil
}

// applyReceipt adds a recorded credit to its transfer and moves the payment
// as the sum says, in the caller's transaction. The sum is added in one
// UPDATE, so concurrent receipts of one transfer add up; the payment moves
// by a conditional update, so only one of them completes it.
func (s *Store) applyReceipt(ctx context.Context, tx bun.Tx, r *BankReceipt, t time.Time) (*Receipt, error) {
	res, err := tx.NewUpdate().Model((*BankTransfer)(nil)).Set("amount_received = amount_received + ?", r.Amount).Set("updated_at = ?", t).
		Where("transaction_id = ?", r.TransactionID).Where("organization_id = ?", r.OrganizationID).Where("mode = ?", r.Mode).
		Where("currency = ?", r.Currency).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("adding up the money received: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, s.whyNoTransfer(ctx, tx, r)
	}
	bt := new(BankTransfer)
	if err := tx.NewSelect().Model(bt).Where("transaction_id = ?", r.TransactionID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("reloading bank transfer: %w", err)
	}
	txn := new(checkout.Transaction)
	if err := tx.NewSelect().Model(txn).Where("id = ?", r.TransactionID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("loading transaction: %w", err)
	}
	c := new(checkout.Checkout)
	if err := tx.NewSelect().Model(c).Where("id = ?", txn.CheckoutID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("loading checkout: %w", err)
	}
	out := &Receipt{Receipt: r, Transfer: bt}
	reached := bt.AmountReceived >= bt.Amount
	switch txn.Status {
	case checkout.TxPendingProvider:
		out.Result = ReceivedPartly
		if reached {
			if err := s.moneyArrived(ctx, tx, c, txn.ID, []checkout.TxStatus{checkout.TxPendingProvider}, t); err != nil {
				return nil, err
			}
			out.Result = ReceivedInFull
		}
	case checkout.TxCancelled, checkout.TxFailed, checkout.TxInitiated:
		out.Result, bt.Late = ReceivedLate, true
		if reached {
			if err := s.moneyArrived(ctx, tx, c, txn.ID, []checkout.TxStatus{checkout.TxCancelled, checkout.TxFailed, checkout.TxInitiated}, t); err != nil {
				return nil, err
			}
		}
	default: // paid already: all of it is beyond the amount
		out.Result = ReceivedOver
	}
	before := bt.Excess
	bt.Excess = max(0, bt.AmountReceived-bt.Amount)
	if _, err := tx.NewUpdate().Model(bt).Column("excess", "late").WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("flagging the transfer: %w", err)
	}
	if bt.Excess > 0 && out.Result != ReceivedLate {
		out.Result = ReceivedOver
	}
	if err := tx.NewSelect().Model(txn).Where("id = ?", txn.ID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("reloading transaction: %w", err)
	}
	payload := txPayload(c, txn)
	withTransfer(payload, bt)
	switch {
	case bt.Excess > before:
		if txn.Flag == "" {
			if _, err := tx.NewUpdate().Model((*checkout.Transaction)(nil)).Set("flag = ?", checkout.FlagOverpaid).Where("id = ?", txn.ID).Exec(ctx); err != nil {
				return nil, fmt.Errorf("flagging the transaction: %w", err)
			}
		}
		// After the success it may follow in this transaction, in order.
		return out, s.addEvent(ctx, tx, c, EventOverpaid, "transaction", txn.ID, payload, t.Add(2*time.Microsecond))
	case !reached:
		return out, s.addEvent(ctx, tx, c, EventPartiallyPaid, "transaction", txn.ID, payload, t.Add(2*time.Microsecond))
	}
	return out, nil
}

// moneyArrived moves a payment whose money has arrived (a provider's word,
// a bank transfer's full amount) to succeeded and completes its checkout; a
// checkout no longer open (expired, canceled, paid by another attempt) keeps
// its state, and the money is kept and flagged for the operator.
func (s *Store) moneyArrived(ctx context.Context, tx bun.Tx, c *checkout.Checkout, txID string, from []checkout.TxStatus, t time.Time) error {
	moved, err := s.transition(ctx, tx, c, txID, from, checkout.TxSucceeded, t, map[string]any{"failure_code": "", "failure_message": ""})
	if err != nil || !moved {
		return err
	}
	err = s.closeCheckout(ctx, tx, c.OrganizationID, c.ID, checkout.StatusComplete, t)
	if isNotOpen(err) {
		return s.flagPaidAfterClose(ctx, tx, c, txID, t)
	}
	return err
}

// whyNoTransfer tells apart a transaction that is not a bank transfer of the
// key's organization and mode from money in another currency.
func (s *Store) whyNoTransfer(ctx context.Context, tx bun.Tx, r *BankReceipt) error {
	bt := new(BankTransfer)
	err := tx.NewSelect().Model(bt).Where("transaction_id = ?", r.TransactionID).Where("organization_id = ?", r.OrganizationID).
		Where("mode = ?", r.Mode).Scan(ctx)
	if err != nil {
		var n int
		if cerr := tx.NewSelect().Model((*checkout.Transaction)(nil)).ColumnExpr("count(*)").Where("id = ?", r.TransactionID).
			Where("organization_id = ?", r.OrganizationID).Scan(ctx, &n); cerr == nil && n > 0 {
			return ErrNotBankTransfer
		}
		return notFound(err, "transaction")
	}
	return fmt.Errorf("%w: the transfer is in %s, the credit in %s", ErrTransferCurrency, bt.Currency, r.Currency)
}

// AssignReceipt applies an unmatched credit to a bank transfer the operator
// chose, as if it had matched.
func (s *Store) AssignReceipt(ctx context.Context, orgID string, mode checkout.Mode, receiptID, txID, note string) (*Receipt, error) {
	var out *Receipt
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		out = nil
		t := now()
		res, err := tx.NewUpdate().Model((*BankReceipt)(nil)).Set("status = ?", ReceiptApplied).Set("transaction_id = ?", txID).
			Set("note = ?", note).Set("updated_at = ?", t).
			Where("id = ?", receiptID).Where("organization_id = ?", orgID).Where("mode = ?", mode).Where("status = ?", ReceiptUnmatched).Exec(ctx)
		if err != nil {
			return fmt.Errorf("assigning a bank credit: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return s.receiptState(ctx, tx, orgID, mode, receiptID)
		}
		r := new(BankReceipt)
		if err := tx.NewSelect().Model(r).Where("id = ?", receiptID).Scan(ctx); err != nil {
			return fmt.Errorf("reloading bank credit: %w", err)
		}
		out, err = s.applyReceipt(ctx, tx, r, t)
		return err
	})
	return out, err
}

// DismissReceipt sets an unmatched credit aside (money that was not a
// payment), with the operator's note.
func (s *Store) DismissReceipt(ctx context.Context, orgID string, mode checkout.Mode, receiptID, note string) (*BankReceipt, error) {
	r := new(BankReceipt)
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*BankReceipt)(nil)).Set("status = ?", ReceiptDismissed).Set("note = ?", note).Set("updated_at = ?", now()).
			Where("id = ?", receiptID).Where("organization_id = ?", orgID).Where("mode = ?", mode).Where("status = ?", ReceiptUnmatched).Exec(ctx)
		if err != nil {
			return fmt.Errorf("dismissing a bank credit: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return s.receiptState(ctx, tx, orgID, mode, receiptID)
		}
		return tx.NewSelect().Model(r).Where("id = ?", receiptID).Scan(ctx)
	})
	return r, err
}

func (s *Store) receiptState(ctx context.Context, tx bun.Tx, orgID string, mode checkout.Mode, id string) error {
	var n int
	if err := tx.NewSelect().Model((*BankReceipt)(nil)).ColumnExpr("count(*)").Where("id = ?", id).Where("organization_id = ?", orgID).
		Where("mode = ?", mode).Scan(ctx, &n); err != nil {
		return fmt.Errorf("loading bank credit: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("bank credit %s: %w", id, errs.ErrNotFound)
	}
	return ErrReceiptSettled
}

// ResolveExcess records what the operator did with money received beyond
// the amount: refunded it outside pgw, or kept it.
func (s *Store) ResolveExcess(ctx context.Context, orgID string, mode checkout.Mode, txID, resolution, note string) (*BankTransfer, error) {
	bt := new(BankTransfer)
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*BankTransfer)(nil)).Set("excess_resolution = ?", resolution).Set("excess_note = ?", note).
			Set("updated_at = ?", now()).Where("transaction_id = ?", txID).Where("organization_id = ?", orgID).Where("mode = ?", mode).
			Where("excess > 0").Exec(ctx)
		if err != nil {
			return fmt.Errorf("recording the excess: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Refused("no_excess", "transactionId", "this transaction has no money received beyond its amount")
		}
		return tx.NewSelect().Model(bt).Where("transaction_id = ?", txID).Scan(ctx)
	})
	return bt, err
}

// ReceiptFilter selects bank credits.
type ReceiptFilter struct {
	OrganizationID string
	Mode           checkout.Mode
	Status         string // "" for all
	TransactionID  string
	Limit          int
}

// ListReceipts returns bank credits, newest first.
func (s *Store) ListReceipts(ctx context.Context, f ReceiptFilter) ([]*BankReceipt, error) {
	var rs []*BankReceipt
	q := s.read.NewSelect().Model(&rs).Where("organization_id = ?", f.OrganizationID).Where("mode = ?", f.Mode)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.TransactionID != "" {
		q = q.Where("transaction_id = ?", f.TransactionID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	if err := q.OrderExpr("created_at DESC, id DESC").Limit(int64(f.Limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing bank credits: %w", err)
	}
	return rs, nil
}

// TransfersNeedingAttention returns the mode's transfers with money beyond
// the amount not yet settled, or money that came late, newest first.
func (s *Store) TransfersNeedingAttention(ctx context.Context, orgID string, mode checkout.Mode, limit int) ([]*BankTransfer, error) {
	var bts []*BankTransfer
	err := s.read.NewSelect().Model(&bts).Where("organization_id = ?", orgID).Where("mode = ?", mode).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("excess > 0 AND excess_resolution = ''").WhereOr("late = ? AND amount_received > 0", true)
		}).OrderExpr("updated_at DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing transfers to look at: %w", err)
	}
	return bts, nil
}

// ManualReceiptLike reports whether a transfer has a credit recorded by hand
// without the bank's reference for amount: a statement entry of that amount
// may be the same money, which the operator must tell.
func (s *Store) ManualReceiptLike(ctx context.Context, txID string, amount int64) (bool, error) {
	n, err := s.read.NewSelect().Model((*BankReceipt)(nil)).Where("transaction_id = ?", txID).Where("source = ?", ReceiptManual).
		Where("bank_reference = ''").Where("amount = ?", amount).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("looking for a receipt recorded by hand: %w", err)
	}
	return n > 0, nil
}
