package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
)

// CreateCheckout stores a new checkout with its items. When done is not nil the
// idempotency record it names is completed in the same transaction, so a
// replayed request can never create a second checkout. Concurrent
// writes share one transaction (group commit).
func (s *Store) CreateCheckout(ctx context.Context, c *checkout.Checkout, done *IdempotencyResult) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return s.insertCheckout(ctx, tx, c, done)
	})
}

// GetCheckout returns a checkout of the organization with its items and
// transactions; another organization's checkout is not found.
func (s *Store) GetCheckout(ctx context.Context, orgID, id string) (*checkout.Checkout, error) {
	c := new(checkout.Checkout)
	err := s.read.NewSelect().Model(c).
		Relation("Items", func(q *bun.SelectQuery) *bun.SelectQuery { return q.OrderExpr("position") }).
		Relation("Transactions", func(q *bun.SelectQuery) *bun.SelectQuery { return q.OrderExpr("created_at, id") }).
		Where("checkout.id = ?", id).Where("checkout.organization_id = ?", orgID).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "checkout")
	}
	return c, nil
}

// CheckoutFilter narrows ListCheckouts. Zero fields do not filter.
type CheckoutFilter struct {
	OrganizationID    string
	Mode              checkout.Mode
	SiteID            string
	Status            checkout.Status
	ExternalReference string
	// ClientKey is the client's id (checkout.ClientKey).
	ClientKey string
	// PaymentLinkID is the reusable payment link the checkouts came from.
	PaymentLinkID string
	// Amount is an exact amount (minor units).
	Amount int64
	// Search matches the start of the reference, invoice number or email,
	// ignoring case.
	Search      string
	CreatedFrom time.Time
	CreatedTo   time.Time
	Page        int // from 1
	Limit       int
}

// ListCheckouts returns one page of the organization's checkouts, newest first,
// with their items, and the number of checkouts matching the filter.
func (s *Store) ListCheckouts(ctx context.Context, f CheckoutFilter) ([]*checkout.Checkout, int, error) {
	var list []*checkout.Checkout
	q := s.read.NewSelect().Model(&list).
		Relation("Items", func(q *bun.SelectQuery) *bun.SelectQuery { return q.OrderExpr("position") }).
		Where("checkout.organization_id = ?", f.OrganizationID)
	if f.Mode != "" {
		q = q.Where("checkout.mode = ?", f.Mode)
	}
	if f.SiteID != "" {
		q = q.Where("checkout.site_id = ?", f.SiteID)
	}
	if f.Status != "" {
		q = q.Where("checkout.status = ?", f.Status)
	}
	if f.ExternalReference != "" {
		q = q.Where("checkout.external_reference = ?", f.ExternalReference)
	}
	if f.ClientKey != "" {
		q = q.Where("checkout.client_key = ?", f.ClientKey)
	}
	if f.PaymentLinkID != "" {
		q = q.Where("checkout.payment_link_id = ?", f.PaymentLinkID)
	}
	if f.Amount > 0 {
		q = q.Where("checkout.amount = ?", f.Amount)
	}
	if f.Search != "" {
		like := strings.ToLower(likeEscape(f.Search)) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(`lower(checkout.external_reference) LIKE ? ESCAPE '\'`, like).
				WhereOr(`lower(checkout.invoice_number) LIKE ? ESCAPE '\'`, like).
				WhereOr(`lower(checkout.email) LIKE ? ESCAPE '\'`, like)
		})
	}
	if !f.CreatedFrom.IsZero() {
		q = q.Where("checkout.created_at >= ?", f.CreatedFrom.UTC())
	}
	if !f.CreatedTo.IsZero() {
		q = q.Where("checkout.created_at < ?", f.CreatedTo.UTC())
	}
	total, err := q.OrderExpr("checkout.created_at DESC, checkout.id DESC").
		Limit(int64(f.Limit)).Offset(int64((f.Page - 1) * f.Limit)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("listing checkouts: %w", err)
	}
	return list, int(total), nil
}

// ExpireCheckout moves an open checkout of the organization to expired and
// records a checkout.expired event, in one transaction. A checkout that is no
// longer open gives checkout.ErrNotOpen and no event.
func (s *Store) ExpireCheckout(ctx context.Context, orgID, id string) (*checkout.Checkout, error) {
	return s.CloseCheckout(ctx, orgID, id, checkout.StatusExpired)
}

// CloseCheckout moves an open checkout of the organization to expired or
// canceled, as ExpireCheckout does.
func (s *Store) CloseCheckout(ctx context.Context, orgID, id string, to checkout.Status) (*checkout.Checkout, error) {
	if to != checkout.StatusExpired && to != checkout.StatusCanceled {
		return nil, fmt.Errorf("a checkout is not closed as %q by request", to)
	}
	err := s.write.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return s.closeCheckout(ctx, tx, orgID, id, to, now())
	})
	if err != nil {
		return nil, err
	}
	return s.GetCheckout(ctx, orgID, id)
}

// ExpireDue expires up to limit open checkouts whose time has passed and
// returns the ids of those it expired.
func (s *Store) ExpireDue(ctx context.Context, limit int) ([]string, error) {
	t := now()
	var due []*checkout.Checkout
	if err := s.read.NewSelect().Model(&due).Column("id", "organization_id").
		Where("status = ?", checkout.StatusOpen).Where("expires_at <= ?", t).
		OrderExpr("expires_at").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("finding due checkouts: %w", err)
	}
	var expired []string
	for _, c := range due {
		err := s.write.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return s.closeCheckout(ctx, tx, c.OrganizationID, c.ID, checkout.StatusExpired, t)
		})
		switch {
		case err == nil:
			expired = append(expired, c.ID)
		case errors.Is(err, checkout.ErrNotOpen):
			// Paid or canceled meanwhile: the other change won.
		default:
			return expired, err
		}
	}
	return expired, nil
}

// checkoutEvents names the event each closing state emits.
var checkoutEvents = map[checkout.Status]string{
	checkout.StatusComplete: "checkout.completed",
	checkout.StatusExpired:  "checkout.expired",
	checkout.StatusCanceled: "checkout.canceled",
}

// closeCheckout is the conditional state change every closing path shares:
// only a checkout still open moves, and only the mover writes the event. A
// checkout past its expiry can no longer be completed, even before the
// sweeper has marked it.
func (s *Store) closeCheckout(ctx context.Context, tx bun.Tx, orgID, id string, to checkout.Status, t time.Time) error {
	if !checkout.StatusOpen.CanBecome(to) {
		return fmt.Errorf("closing checkout as %q: %w", to, checkout.ErrNotOpen)
	}
	q := tx.NewUpdate().Model((*checkout.Checkout)(nil)).
		Set("status = ?", to).Set("closed_at = ?", t).Set("updated_at = ?", t).
		Where("id = ?", id).Where("organization_id = ?", orgID).Where("status = ?", checkout.StatusOpen)
	if to == checkout.StatusComplete {
		q = q.Where("expires_at > ?", t)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return fmt.Errorf("updating checkout status: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var status checkout.Status
		if err := tx.NewSelect().Model((*checkout.Checkout)(nil)).Column("status").
			Where("id = ?", id).Where("organization_id = ?", orgID).Scan(ctx, &status); err != nil {
			return notFound(err, "checkout")
		}
		return fmt.Errorf("checkout %s is %s: %w", id, status, checkout.ErrNotOpen)
	}
	c := new(checkout.Checkout)
	if err := tx.NewSelect().Model(c).Where("id = ?", id).Scan(ctx); err != nil {
		return fmt.Errorf("reloading checkout: %w", err)
	}
	if err := s.addEvent(ctx, tx, c, checkoutEvents[to], "checkout", id, checkoutPayload(c), t); err != nil {
		return err
	}
	if err := s.cancelTransfers(ctx, tx, c, to, t); err != nil {
		return err
	}
	return s.runCloseHooks(ctx, tx, c, to, t)
}

// GetCheckoutByShortCode finds a checkout by the code in its hosted URL, for
// any organization: the code is the buyer's bearer capability.
func (s *Store) GetCheckoutByShortCode(ctx context.Context, code string) (*checkout.Checkout, error) {
	return s.checkoutWithItems(ctx, s.stmts.checkoutByShortCode, code)
}

// GetCheckoutByPublicID finds a checkout by its sessionPublicId, for any
// organization: like the short code it is the buyer's capability.
func (s *Store) GetCheckoutByPublicID(ctx context.Context, publicID string) (*checkout.Checkout, error) {
	return s.checkoutWithItems(ctx, s.stmts.checkoutByPublicID, publicID)
}

// GetCheckoutByIDUnscoped returns a checkout by id for any organization; only
// for callers that reached it through a capability (a transaction id).
func (s *Store) GetCheckoutByIDUnscoped(ctx context.Context, id string) (*checkout.Checkout, error) {
	c := new(checkout.Checkout)
	if err := s.read.NewSelect().Model(c).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "checkout")
	}
	return c, nil
}

// checkoutPayload is the object of a checkout event, as merchants see it.
func checkoutPayload(c *checkout.Checkout) map[string]any {
	return map[string]any{
		"id": c.ID, "siteId": c.SiteID, "status": c.Status, "amount": c.Amount, "currency": c.Currency,
		"externalReference": c.ExternalReference, "invoiceNumber": c.InvoiceNumber, "metadata": c.Metadata,
		"mode": c.Mode, "closedAt": c.ClosedAt, "createdAt": c.CreatedAt,
	}
}

func isNotOpen(err error) bool { return errors.Is(err, checkout.ErrNotOpen) }

var errNoRows = sql.ErrNoRows
