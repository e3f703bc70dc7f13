package store

import (
	"context"
	"database/sql"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
)

// Scope is what an API key may see: the objects of one organization in one
// mode. Test keys never see live money, nor live keys test data; the other
// mode's objects are not found. The dashboard's operators see both modes
// (Mode "").
type Scope struct {
	OrganizationID string
	Mode           checkout.Mode
}

// CheckoutInScope returns a checkout of the scope (see GetCheckout).
func (s *Store) CheckoutInScope(ctx context.Context, sc Scope, id string) (*checkout.Checkout, error) {
	c, err := s.GetCheckout(ctx, sc.OrganizationID, id)
	if err != nil {
		return nil, err
	}
	if sc.Mode != "" && c.Mode != sc.Mode {
		return nil, notFound(sql.ErrNoRows, "checkout")
	}
	return c, nil
}

// TransactionInScope returns an attempt whose checkout is of the scope.
func (s *Store) TransactionInScope(ctx context.Context, sc Scope, id string) (*checkout.Transaction, error) {
	t := new(checkout.Transaction)
	q := s.read.NewSelect().Model(t).Where("id = ?", id).Where("organization_id = ?", sc.OrganizationID)
	if sc.Mode != "" {
		q = q.Where("checkout_id IN (SELECT id FROM checkouts WHERE organization_id = ? AND mode = ?)", sc.OrganizationID, sc.Mode)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(err, "transaction")
	}
	return t, nil
}

// KeyScope is the scope of an API key.
func KeyScope(k *auth.APIKey) Scope { return Scope{OrganizationID: k.OrganizationID, Mode: k.Mode} }
