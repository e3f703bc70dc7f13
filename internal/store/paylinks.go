package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/paylink"
)

// paylinkRow is a link as stored.
type paylinkRow struct {
	bun.BaseModel `bun:"table:payment_links,alias:pl"`
	paylink.Link
}

// MaxPaymentLinks is how many links an organization may have in a mode.
const MaxPaymentLinks = 1000

// CreatePaymentLink stores a new link, unless the organization has
// MaxPaymentLinks in its mode.
func (s *Store) CreatePaymentLink(ctx context.Context, l *paylink.Link) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		n, err := tx.NewSelect().Model((*paylinkRow)(nil)).Where("organization_id = ?", l.OrganizationID).
			Where("mode = ?", l.Mode).Count(ctx)
		if err != nil {
			return fmt.Errorf("counting payment links: %w", err)
		}
		if n >= MaxPaymentLinks {
			return errs.New(errs.Conflict, "limit_reached", fmt.Sprintf("an organization has at most %d payment links per mode", MaxPaymentLinks))
		}
		if _, err := tx.NewInsert().Model(&paylinkRow{Link: *l}).Exec(ctx); err != nil {
			return fmt.Errorf("inserting payment link: %w", err)
		}
		return nil
	})
}

// GetPaymentLink returns a link of the organization in mode ("" for any).
func (s *Store) GetPaymentLink(ctx context.Context, orgID string, mode checkout.Mode, id string) (*paylink.Link, error) {
	row := new(paylinkRow)
	q := s.read.NewSelect().Model(row).Where("id = ?", id).Where("organization_id = ?", orgID)
	if mode != "" {
		q = q.Where("mode = ?", mode)
	}
	err := q.Scan(ctx)
	if err != nil {
		return nil, notFound(err, "payment link")
	}
	return &row.Link, nil
}

// PaymentLinkByCode returns the link of a code, of any organization: the
// code is the capability its URL carries.
func (s *Store) PaymentLinkByCode(ctx context.Context, code string) (*paylink.Link, error) {
	row := new(paylinkRow)
	if err := s.read.NewSelect().Model(row).Where("code = ?", code).Scan(ctx); err != nil {
		return nil, notFound(err, "payment link")
	}
	return &row.Link, nil
}

// ListPaymentLinks returns a page of the organization's links in mode ("" for
// any), newest first, and how many there are.
func (s *Store) ListPaymentLinks(ctx context.Context, orgID string, mode checkout.Mode, page, limit int) ([]*paylink.Link, int, error) {
	var rows []*paylinkRow
	q := s.read.NewSelect().Model(&rows).Where("organization_id = ?", orgID)
	if mode != "" {
		q = q.Where("mode = ?", mode)
	}
	n, err := q.OrderExpr("created_at DESC, id DESC").Limit(int64(limit)).Offset(int64((page - 1) * limit)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("listing payment links: %w", err)
	}
	out := make([]*paylink.Link, len(rows))
	for i, r := range rows {
		out[i] = &r.Link
	}
	return out, int(n), nil
}

// DeactivatePaymentLink stops a link; its checkouts still open may be paid.
func (s *Store) DeactivatePaymentLink(ctx context.Context, orgID string, mode checkout.Mode, id string, now time.Time) (*paylink.Link, error) {
	q := s.write.NewUpdate().Model((*paylinkRow)(nil)).Set("active = ?", false).Set("updated_at = ?", now.UTC()).
		Where("id = ?", id).Where("organization_id = ?", orgID)
	if mode != "" {
		q = q.Where("mode = ?", mode)
	}
	_, err := q.Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("deactivating payment link: %w", err)
	}
	return s.GetPaymentLink(ctx, orgID, mode, id)
}

// LinkStats are what a link's checkouts came to.
type LinkStats struct {
	// Payments are its paid checkouts, Volume what they took.
	Payments int
	Volume   int64
}

// PaymentLinkStats answers the stats of links by id.
func (s *Store) PaymentLinkStats(ctx context.Context, ids []string) (map[string]LinkStats, error) {
	out := make(map[string]LinkStats, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		PaymentLinkID string
		N             int
		Volume        int64
	}
	err := s.read.NewSelect().Model((*checkout.Checkout)(nil)).
		ColumnExpr("payment_link_id, COUNT(*) AS n, COALESCE(SUM(amount), 0) AS volume").
		Where("payment_link_id IN (?)", bun.In(ids)).Where("status = ?", checkout.StatusComplete).
		Group("payment_link_id").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("adding up payment links: %w", err)
	}
	for _, r := range rows {
		out[r.PaymentLinkID] = LinkStats{Payments: r.N, Volume: r.Volume}
	}
	return out, nil
}

// CreateLinkCheckout stores a checkout a link made, when the link still takes
// payments: counting its paid checkouts and those still open (each holds one
// of its payments until it expires) and inserting are one transaction that
// first writes the link's row, so that two customers at once cannot both take
// its last payment.
func (s *Store) CreateLinkCheckout(ctx context.Context, l *paylink.Link, c *checkout.Checkout, now time.Time) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model((*paylinkRow)(nil)).Set("updated_at = updated_at").Where("id = ?", l.ID).Exec(ctx); err != nil {
			return fmt.Errorf("holding payment link: %w", err)
		}
		fresh := new(paylinkRow)
		if err := tx.NewSelect().Model(fresh).Where("id = ?", l.ID).Scan(ctx); err != nil {
			return notFound(err, "payment link")
		}
		taken, err := takenQuery(tx.NewSelect(), l.ID, now).Count(ctx)
		if err != nil {
			return fmt.Errorf("counting payment link's checkouts: %w", err)
		}
		if err := fresh.Open(now, int(taken)); err != nil {
			return err
		}
		c.PaymentLinkID = l.ID
		return s.insertCheckout(ctx, tx, c, nil)
	})
}

// takenQuery selects a link's checkouts that hold one of its payments: paid,
// or open and not yet expired.
func takenQuery(q *bun.SelectQuery, linkID string, now time.Time) *bun.SelectQuery {
	return q.Model((*checkout.Checkout)(nil)).Where("payment_link_id = ?", linkID).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("status = ?", checkout.StatusComplete).
				WhereOr("status = ? AND expires_at > ?", checkout.StatusOpen, now.UTC())
		})
}

// PaymentLinkTaken counts the link's checkouts that hold one of its payments.
func (s *Store) PaymentLinkTaken(ctx context.Context, linkID string, now time.Time) (int, error) {
	n, err := takenQuery(s.read.NewSelect(), linkID, now).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("counting payment link's checkouts: %w", err)
	}
	return int(n), nil
}
