package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/risk"
)

// holdRow is a hold as stored.
type holdRow struct {
	bun.BaseModel `bun:"table:customer_risk_holds"`
	risk.Hold
}

// MaxHolds is how many holds an organization keeps at most.
const MaxHolds = 1000

// ErrTooManyHolds refuses a hold past MaxHolds.
var ErrTooManyHolds = errs.New(errs.Conflict, "limit_reached", fmt.Sprintf("an organization has at most %d customer risk holds: lift some first", MaxHolds))

// CreateHold records a customer risk hold; its email is kept lowercased.
func (s *Store) CreateHold(ctx context.Context, h *risk.Hold) error {
	h.Email = risk.NormalizeEmail(h.Email)
	n, err := s.read.NewSelect().Model((*holdRow)(nil)).Where("organization_id = ?", h.OrganizationID).Count(ctx)
	if err != nil {
		return fmt.Errorf("counting customer risk holds: %w", err)
	}
	if n >= MaxHolds {
		return ErrTooManyHolds
	}
	if _, err := s.write.NewInsert().Model(&holdRow{Hold: *h}).Exec(ctx); err != nil {
		return fmt.Errorf("inserting customer risk hold: %w", err)
	}
	return nil
}

// ListHolds returns a page of the organization's holds, newest first, and
// how many there are; email narrows to one customer.
func (s *Store) ListHolds(ctx context.Context, orgID, email string, page, limit int) ([]*risk.Hold, int, error) {
	var rows []*holdRow
	q := s.read.NewSelect().Model(&rows).Where("organization_id = ?", orgID)
	if email != "" {
		q = q.Where("email = ?", risk.NormalizeEmail(email))
	}
	n, err := q.OrderExpr("created_at DESC, id DESC").Limit(int64(limit)).Offset(int64((page - 1) * limit)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("listing customer risk holds: %w", err)
	}
	return holds(rows), int(n), nil
}

// DeleteHold removes a hold of the organization.
func (s *Store) DeleteHold(ctx context.Context, orgID, id string) error {
	res, err := s.write.NewDelete().Model((*holdRow)(nil)).Where("id = ?", id).Where("organization_id = ?", orgID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("deleting customer risk hold: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("customer risk hold %s: %w", id, errs.ErrNotFound)
	}
	return nil
}

// AtRisk reports whether a customer of the organization, by email or client
// id, has a hold or an unresolved dispute: one prepared query, so that
// screening a checkout costs little when there is none.
func (s *Store) AtRisk(ctx context.Context, orgID, email, clientID string) (bool, error) {
	var e, c any // NULL never matches: an empty email or client id finds nothing
	if email = risk.NormalizeEmail(email); email != "" {
		e = email
	}
	if clientID != "" {
		c = clientID
	}
	rows, err := s.queryPrepared(ctx, s.stmts.riskOf, orgID, e, c, orgID, e, c)
	if err != nil {
		return false, fmt.Errorf("screening a customer: %w", err)
	}
	defer rows.Close()
	found := rows.Next()
	return found, rows.Err()
}

// HoldsOf returns the holds on a customer of the organization, by email or
// client id, oldest first.
func (s *Store) HoldsOf(ctx context.Context, orgID, email, clientID string) ([]*risk.Hold, error) {
	email = risk.NormalizeEmail(email)
	if email == "" && clientID == "" {
		return nil, nil
	}
	var rows []*holdRow
	err := s.read.NewSelect().Model(&rows).Where("organization_id = ?", orgID).
		WhereGroup(" AND ", customerIs("email", email, clientID)).OrderExpr("created_at, id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading customer risk holds: %w", err)
	}
	return holds(rows), nil
}

// customerIs matches rows of a customer by email (in emailCol) or client
// id, leaving out whichever is empty.
func customerIs(emailCol, email, clientID string) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		if email != "" {
			q = q.WhereOr("? = ?", bun.Ident(emailCol), email)
		}
		if clientID != "" {
			q = q.WhereOr("client_id = ?", clientID)
		}
		return q
	}
}

func holds(rows []*holdRow) []*risk.Hold {
	out := make([]*risk.Hold, len(rows))
	for i, r := range rows {
		out[i] = &r.Hold
	}
	return out
}
