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

// BankTransfer is a bank transfer a buyer was asked for: the reference the
// money must carry, the amount due, what has arrived so far, and what the
// operator must look at (money beyond the amount, money after the window).
type BankTransfer struct {
	bun.BaseModel    `bun:"table:bank_transfers"`
	TransactionID    string        `bun:",pk"`
	OrganizationID   string        `bun:",notnull"`
	CheckoutID       string        `bun:",notnull"`
	Mode             checkout.Mode `bun:",notnull"`
	Reference        string        `bun:",notnull"`
	Amount           int64         `bun:",notnull"`
	Currency         string        `bun:",notnull"`
	AmountReceived   int64         `bun:",notnull"`
	Excess           int64         `bun:",notnull"`
	ExcessResolution string        `bun:",notnull"` // "", ExcessRefunded or ExcessKept
	ExcessNote       string        `bun:",notnull"`
	// Late is money that arrived after the attempt was closed.
	Late      bool      `bun:",notnull"`
	DueAt     time.Time `bun:",notnull"`
	CreatedAt time.Time `bun:",notnull"`
	UpdatedAt time.Time `bun:",notnull"`
}

// Balance is what is still due.
func (b *BankTransfer) Balance() int64 { return max(0, b.Amount-b.AmountReceived) }

// How an operator settled money received beyond the amount.
const (
	ExcessRefunded = "refunded"
	ExcessKept     = "kept"
)

// BankReceipt is one credit to the merchant's account: recorded by hand for
// a transaction, or read from a statement and matched to one, or left for
// the operator to assign or dismiss.
type BankReceipt struct {
	bun.BaseModel  `bun:"table:bank_receipts"`
	ID             string        `bun:",pk"`
	OrganizationID string        `bun:",notnull"`
	Mode           checkout.Mode `bun:",notnull"`
	// EntryKey identifies the bank's entry across uploads ("" for a
	// receipt recorded by hand without the bank's reference).
	EntryKey      string    `bun:",notnull"`
	StatementID   string    `bun:",notnull"`
	Source        string    `bun:",notnull"` // ReceiptManual or ReceiptStatement
	Status        string    `bun:",notnull"` // ReceiptApplied, ReceiptUnmatched or ReceiptDismissed
	Reason        string    `bun:",notnull"` // why it is unmatched
	TransactionID string    `bun:",notnull"`
	Amount        int64     `bun:",notnull"`
	Currency      string    `bun:",notnull"`
	ReceivedAt    time.Time `bun:",notnull"`
	BankReference string    `bun:",notnull"`
	Remittance    string    `bun:",notnull"`
	Counterparty  string    `bun:",notnull"`
	Note          string    `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
	UpdatedAt     time.Time `bun:",notnull"`
}

// Receipt sources and states.
const (
	ReceiptManual    = "manual"
	ReceiptStatement = "statement"

	ReceiptApplied   = "applied"
	ReceiptUnmatched = "unmatched"
	ReceiptDismissed = "dismissed"
)

// Events of money arriving that change no transaction status: typed events
// for webhooks and alerts, never an IPN.
const (
	EventPartiallyPaid = "transaction.partially_paid"
	EventOverpaid      = "transaction.overpaid"
	// EventPaidAfterClose: money arrived for a checkout that had expired,
	// been canceled or been paid another way.
	EventPaidAfterClose = "transaction.paid_after_close"
)

// Errors of bank transfers.
var (
	ErrTransferCurrency = errs.New(errs.Invalid, "currency_mismatch", "the money received is in another currency than the transfer asked for")
	ErrNotBankTransfer  = errs.New(errs.Invalid, "not_a_bank_transfer", "only a bank transfer can be marked paid")
	ErrReceiptSettled   = errs.New(errs.Conflict, "receipt_not_unmatched", "only an unmatched credit can be assigned or dismissed")
	ErrTransferPending  = errs.New(errs.Conflict, "bank_transfer_pending", "a bank transfer is under way for this checkout; it cannot be paid another way")
	ErrAttemptUsed      = errs.New(errs.Conflict, "attempt_used", "this payment form was used before; reload the page")
)

// StartBankTransfer records a bank transfer attempt on an open checkout: the
// transaction (pending_provider), its frozen tax decision, the transfer with
// its reference, and the checkout's expiry moved to the end of the payment
// window, in one transaction with the event. A checkout that already has a
// transfer under way gets that one back (created=false); one that is no
// longer open gives checkout.ErrNotOpen.
func (s *Store) StartBankTransfer(ctx context.Context, c *checkout.Checkout, t *checkout.Transaction, bt *BankTransfer, frozen *TransactionTax) (gotTx *checkout.Transaction, got *BankTransfer, created bool, err error) {
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		gotTx, got, created = nil, nil, false
		if prev, ptx, err := pendingTransfer(ctx, tx, c.ID); err == nil {
			got, gotTx = prev, ptx
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := tx.NewUpdate().Model((*checkout.Checkout)(nil)).
			Set("expires_at = CASE WHEN expires_at > ? THEN expires_at ELSE ? END", bt.DueAt, bt.DueAt).Set("updated_at = ?", t.CreatedAt).
			Where("id = ?", c.ID).Where("status = ?", checkout.StatusOpen).Where("expires_at > ?", t.CreatedAt).Exec(ctx)
		if err != nil {
			return fmt.Errorf("moving the checkout's expiry: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("starting a bank transfer for %s: %w", c.ID, checkout.ErrNotOpen)
		}
		row := *bt
		if err := tx.NewSelect().Model((*checkout.Checkout)(nil)).Column("expires_at").Where("id = ?", c.ID).Scan(ctx, &row.DueAt); err != nil {
			return fmt.Errorf("reading the new expiry: %w", err)
		}
		nt := *t
		ins, err := tx.NewInsert().Model(&nt).On("CONFLICT (checkout_id, attempt_key) WHERE attempt_key <> '' DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("inserting transaction: %w", err)
		}
		if n, _ := ins.RowsAffected(); n == 0 {
			return ErrAttemptUsed // a form sent again after its transfer ended
		}
		if frozen != nil {
			f := *frozen
			f.TransactionID, f.OrganizationID = nt.ID, nt.OrganizationID
			if _, err := tx.NewInsert().Model(&f).Exec(ctx); err != nil {
				return fmt.Errorf("freezing the tax decision: %w", err)
			}
		}
		row.TransactionID = nt.ID
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return fmt.Errorf("inserting bank transfer: %w", err)
		}
		payload := txPayload(c, &nt)
		if frozen != nil {
			withTaxTotals(payload, frozen)
		}
		withTransfer(payload, &row)
		gotTx, got, created = &nt, &row, true
		return s.addEvent(ctx, tx, c, "transaction."+string(nt.Status), "transaction", nt.ID, payload, nt.CreatedAt)
	})
	return gotTx, got, created, err
}

// pendingTransfer is a checkout's transfer still under way.
func pendingTransfer(ctx context.Context, db bun.IDB, checkoutID string) (*BankTransfer, *checkout.Transaction, error) {
	bt := new(BankTransfer)
	err := db.NewSelect().Model(bt).Where("checkout_id = ?", checkoutID).
		Where("transaction_id IN (SELECT id FROM transactions WHERE checkout_id = ? AND status = ?)", checkoutID, checkout.TxPendingProvider).
		Limit(1).Scan(ctx)
	if err != nil {
		return nil, nil, err
	}
	t := new(checkout.Transaction)
	if err := db.NewSelect().Model(t).Where("id = ?", bt.TransactionID).Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("loading the transfer's transaction: %w", err)
	}
	return bt, t, nil
}

// PendingTransfer returns a checkout's bank transfer still under way, or
// errs.ErrNotFound.
func (s *Store) PendingTransfer(ctx context.Context, checkoutID string) (*BankTransfer, *checkout.Transaction, error) {
	bt, t, err := pendingTransfer(ctx, s.read, checkoutID)
	if err != nil {
		return nil, nil, notFound(err, "bank transfer")
	}
	return bt, t, nil
}

// TransferOf returns the bank transfer of a transaction, or errs.ErrNotFound.
func (s *Store) TransferOf(ctx context.Context, txID string) (*BankTransfer, error) {
	bt := new(BankTransfer)
	if err := s.read.NewSelect().Model(bt).Where("transaction_id = ?", txID).Scan(ctx); err != nil {
		return nil, notFound(err, "bank transfer")
	}
	return bt, nil
}

// TransfersOfCheckout returns every bank transfer of a checkout, oldest first.
func (s *Store) TransfersOfCheckout(ctx context.Context, checkoutID string) ([]*BankTransfer, error) {
	var bts []*BankTransfer
	if err := s.read.NewSelect().Model(&bts).Where("checkout_id = ?", checkoutID).OrderExpr("created_at").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing bank transfers: %w", err)
	}
	return bts, nil
}

// TransfersByReference returns the organization's transfers among refs.
func (s *Store) TransfersByReference(ctx context.Context, orgID string, refs []string) ([]*BankTransfer, error) {
	var bts []*BankTransfer
	if len(refs) == 0 {
		return nil, nil
	}
	if err := s.read.NewSelect().Model(&bts).Where("organization_id = ?", orgID).Where("reference IN (?)", bun.In(refs)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("finding bank transfers by reference: %w", err)
	}
	return bts, nil
}

// withTransfer adds a transfer's figures to its transaction's event.
func withTransfer(p map[string]any, bt *BankTransfer) {
	p["bankTransfer"] = map[string]any{"reference": bt.Reference, "dueAt": bt.DueAt, "amountReceived": bt.AmountReceived,
		"amountDue": bt.Balance(), "excess": bt.Excess, "late": bt.Late}
}

// cancelTransfers cancels the transfers still under way of a checkout that
// has just closed, in the caller's transaction: money that arrives later is
// still recorded, as late.
func (s *Store) cancelTransfers(ctx context.Context, tx bun.Tx, c *checkout.Checkout, to checkout.Status, t time.Time) error {
	bt, _, err := pendingTransfer(ctx, tx, c.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	code, msg := "payment_window_ended", "The payment window ended before the full amount arrived."
	switch to {
	case checkout.StatusComplete:
		code, msg = "paid_another_way", "The checkout was paid another way."
	case checkout.StatusCanceled:
		code, msg = "checkout_canceled", "The checkout was canceled."
	}
	_, err = s.transition(ctx, tx, c, bt.TransactionID, []checkout.TxStatus{checkout.TxPendingProvider}, checkout.TxCancelled, t,
		map[string]any{"failure_code": code, "failure_message": msg})
	return err
}
