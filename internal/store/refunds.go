package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
)

// Refund is money given back on a succeeded attempt.
type Refund struct {
	bun.BaseModel  `bun:"table:refunds"`
	ID             string    `bun:",pk"`
	OrganizationID string    `bun:",notnull"`
	TransactionID  string    `bun:",notnull"`
	Amount         int64     `bun:",notnull"`
	Currency       string    `bun:",notnull"`
	Status         string    `bun:",notnull"` // pending, succeeded, failed
	ProviderRef    string    `bun:",notnull"`
	Failure        string    `bun:",notnull"`
	CreatedAt      time.Time `bun:",notnull"`
	UpdatedAt      time.Time `bun:",notnull"`
}

// Refund states.
const (
	RefundPending   = "pending"
	RefundSucceeded = "succeeded"
	RefundFailed    = "failed"
)

// Errors of refunds.
var (
	ErrNotRefundable = errs.New(errs.Conflict, "not_refundable", "only a succeeded transaction can be refunded")
	ErrRefundTooMuch = &errs.Error{Kind: errs.Invalid, Code: "refund_exceeds_captured", Field: "amount",
		Message: "the refund exceeds what is left to refund"}
)

// ReserveRefund records a pending refund of amount and counts it against the
// attempt at once, so concurrent refunds can never add up to more than was
// captured. The provider is asked afterwards; CompleteRefund or FailRefund
// settles the reservation.
func (s *Store) ReserveRefund(ctx context.Context, orgID, txID string, amount int64) (*Refund, error) {
	var r *Refund
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		t := now()
		res, err := tx.NewUpdate().Model((*checkout.Transaction)(nil)).
			Set("refunded_amount = refunded_amount + ?", amount).Set("updated_at = ?", t).
			Where("id = ?", txID).Where("organization_id = ?", orgID).Where("status = ?", checkout.TxSucceeded).
			Where("refunded_amount + ? <= amount", amount).Exec(ctx)
		if err != nil {
			return fmt.Errorf("reserving refund: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			cur := new(checkout.Transaction)
			if err := tx.NewSelect().Model(cur).Where("id = ?", txID).Where("organization_id = ?", orgID).Scan(ctx); err != nil {
				return notFound(err, "transaction")
			}
			if cur.Status != checkout.TxSucceeded {
				return ErrNotRefundable
			}
			return ErrRefundTooMuch
		}
		cur := new(checkout.Transaction)
		if err := tx.NewSelect().Model(cur).Where("id = ?", txID).Scan(ctx); err != nil {
			return err
		}
		r = &Refund{ID: ids.New("rf"), OrganizationID: orgID, TransactionID: txID, Amount: amount, Currency: cur.Currency,
			Status: RefundPending, CreatedAt: t, UpdatedAt: t}
		_, err = tx.NewInsert().Model(r).Exec(ctx)
		return err
	})
	return r, err
}

// CompleteRefund marks a reserved refund done and writes its event; a refund
// that completes the amount moves the attempt to refunded.
func (s *Store) CompleteRefund(ctx context.Context, c *checkout.Checkout, r *Refund, providerRef string) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		t := now()
		if _, err := tx.NewUpdate().Model(r).Set("status = ?", RefundSucceeded).Set("provider_ref = ?", providerRef).
			Set("updated_at = ?", t).Where("id = ?", r.ID).Where("status = ?", RefundPending).Exec(ctx); err != nil {
			return fmt.Errorf("completing refund: %w", err)
		}
		if err := s.ledgerRefund(ctx, tx, r, t); err != nil {
			return err
		}
		var full bool
		if err := tx.NewSelect().Model((*checkout.Transaction)(nil)).ColumnExpr("refunded_amount >= amount").
			Where("id = ?", r.TransactionID).Scan(ctx, &full); err != nil {
			return err
		}
		if full {
			return s.refundedInFull(ctx, tx, c, r.TransactionID, t)
		}
		// A partial refund changes no status: it is a typed event only.
		return s.addEvent(ctx, tx, c, "transaction.refunded", "refund", r.ID, map[string]any{
			"id": r.ID, "transactionId": r.TransactionID, "amount": r.Amount, "currency": r.Currency,
			"externalReference": c.ExternalReference, "partial": true,
		}, t)
	})
}

// FailRefund gives a refund the provider refused back to the attempt.
func (s *Store) FailRefund(ctx context.Context, r *Refund, reason string) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model(r).Set("status = ?", RefundFailed).Set("failure = ?", reason).Set("updated_at = ?", now()).
			Where("id = ?", r.ID).Where("status = ?", RefundPending).Exec(ctx)
		if err != nil {
			return fmt.Errorf("failing refund: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		_, err = tx.NewUpdate().Model((*checkout.Transaction)(nil)).Set("refunded_amount = refunded_amount - ?", r.Amount).
			Where("id = ?", r.TransactionID).Exec(ctx)
		return err
	})
}

// GetTransaction returns an attempt of the organization; another
// organization's is not found.
func (s *Store) GetTransaction(ctx context.Context, orgID, id string) (*checkout.Transaction, error) {
	t := new(checkout.Transaction)
	if err := s.read.NewSelect().Model(t).Where("id = ?", id).Where("organization_id = ?", orgID).Scan(ctx); err != nil {
		return nil, notFound(err, "transaction")
	}
	return t, nil
}

// ListRefunds returns an attempt's refunds, oldest first.
func (s *Store) ListRefunds(ctx context.Context, txID string) ([]*Refund, error) {
	var rs []*Refund
	if err := s.read.NewSelect().Model(&rs).Where("transaction_id = ?", txID).OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing refunds: %w", err)
	}
	return rs, nil
}

// TransactionFilter narrows ListTransactions. Zero fields do not filter.
type TransactionFilter struct {
	OrganizationID string
	// Mode keeps the transactions of checkouts of one mode ("" for both).
	Mode       checkout.Mode
	Status     checkout.TxStatus
	Currency   string
	SiteID     string
	ProviderID string
	// ClientID is the merchant's id of the buyer, on the checkout.
	ClientID string
	From, To time.Time // created at or after From, before To
	// Search matches the start of the checkout's reference, invoice number or
	// email, ignoring case; Amount an exact amount (minor units).
	Search      string
	Amount      int64
	Page, Limit int
}

// ListTransactions returns a page of the organization's transactions, newest
// first, and how many match.
func (s *Store) ListTransactions(ctx context.Context, f TransactionFilter) ([]*checkout.Transaction, int, error) {
	var list []*checkout.Transaction
	q := s.read.NewSelect().Model(&list).Where("organization_id = ?", f.OrganizationID)
	for col, v := range map[string]string{"status": string(f.Status), "currency": f.Currency, "site_id": f.SiteID, "provider_id": f.ProviderID} {
		if v != "" {
			q = q.Where("? = ?", bun.Ident(col), v)
		}
	}
	if f.Amount > 0 {
		q = q.Where("amount = ?", f.Amount)
	}
	if f.Search != "" {
		like := strings.ToLower(likeEscape(f.Search)) + "%"
		q = q.Where("checkout_id IN (?)", s.read.NewSelect().Model((*checkout.Checkout)(nil)).Column("id").
			Where("organization_id = ?", f.OrganizationID).WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(`lower(external_reference) LIKE ? ESCAPE '\'`, like).
				WhereOr(`lower(invoice_number) LIKE ? ESCAPE '\'`, like).
				WhereOr(`lower(email) LIKE ? ESCAPE '\'`, like)
		}))
	}
	if f.Mode != "" || f.ClientID != "" {
		sub := s.read.NewSelect().Model((*checkout.Checkout)(nil)).Column("id").Where("organization_id = ?", f.OrganizationID)
		if f.Mode != "" {
			sub = sub.Where("mode = ?", f.Mode)
		}
		if f.ClientID != "" {
			sub = sub.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				return q.Where("client_id = ?", f.ClientID).WhereOr("client_key = ?", f.ClientID)
			})
		}
		q = q.Where("checkout_id IN (?)", sub)
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To.UTC())
	}
	n, err := q.OrderExpr("created_at DESC, id DESC").Limit(int64(f.Limit)).Offset(int64((f.Page - 1) * f.Limit)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("listing transactions: %w", err)
	}
	return list, int(n), nil
}

// CheckoutRefs answers the references of the organization's checkouts by id,
// for lists of their transactions.
func (s *Store) CheckoutRefs(ctx context.Context, orgID string, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID, ExternalReference, InvoiceNumber string
	}
	err := s.read.NewSelect().Model((*checkout.Checkout)(nil)).Column("id", "external_reference", "invoice_number").
		Where("organization_id = ?", orgID).Where("id IN (?)", bun.In(ids)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("loading checkout references: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.ExternalReference
		if out[r.ID] == "" {
			out[r.ID] = r.InvoiceNumber
		}
	}
	return out, nil
}
