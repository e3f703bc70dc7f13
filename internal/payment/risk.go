package payment

import (
	"context"
	"slices"
	"strings"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/dispute"
	"github.com/pgw/pgw/internal/risk"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

// Screen applies a customer's risk holds and unresolved disputes to a new
// checkout: a *risk.Refusal, or the provider types the checkout is then
// restricted to (set on c). A checkout without email or client id has no
// customer to screen.
func (s *Service) Screen(ctx context.Context, c *checkout.Checkout) error {
	if c.Email == "" && c.ClientID == "" {
		return nil
	}
	if any, err := s.store.AtRisk(ctx, c.OrganizationID, c.Email, c.ClientID); err != nil || !any {
		return err
	}
	holds, err := s.store.HoldsOf(ctx, c.OrganizationID, c.Email, c.ClientID)
	if err != nil {
		return err
	}
	open, err := s.store.OpenDisputeOf(ctx, c.OrganizationID, c.Email, c.ClientID)
	if err != nil || (len(holds) == 0 && !open) {
		return err
	}
	methods, err := s.Methods(ctx, c)
	if err != nil {
		return err
	}
	enabled := make([]string, len(methods))
	for i, m := range methods {
		enabled[i] = string(m.Type)
	}
	allowed, err := risk.Decide(holds, open, enabled)
	if err != nil {
		return err
	}
	c.AllowedProviderTypes = strings.Join(allowed, " ")
	return nil
}

// screenPayer refuses a payment with a provider of type typ by a held
// customer: the checkout's and the email the buyer typed are both looked up.
func (s *Service) screenPayer(ctx context.Context, c *checkout.Checkout, typed string, typ tenant.ProviderType) error {
	for _, email := range []string{c.Email, typed} {
		holds, err := s.store.HoldsOf(ctx, c.OrganizationID, email, c.ClientID)
		if err != nil {
			return err
		}
		if _, err := risk.Decide(holds, false, []string{string(typ)}); err != nil {
			r := err.(*risk.Refusal)
			if r.Code == risk.CodeBlockedByHold {
				r.Code, r.Message = risk.CodePaymentBlockedHold, "this payment cannot be taken: please contact the merchant"
			}
			return r
		}
	}
	return nil
}

// allowedType reports whether a checkout restricted by a hold may be paid
// with a provider of type typ.
func allowedType(c *checkout.Checkout, typ tenant.ProviderType) bool {
	return c.AllowedProviderTypes == "" || slices.Contains(strings.Fields(c.AllowedProviderTypes), string(typ))
}

// OpenDispute records a dispute of a payment of the organization (an
// operator's entry, for providers that do not report them).
func (s *Service) OpenDispute(ctx context.Context, orgID, txID string, ch store.DisputeChange) (*dispute.Dispute, error) {
	ch.AutoHold = s.opts.DisputeHold
	return s.store.OpenDispute(ctx, orgID, txID, ch)
}

// ChangeDispute moves a dispute on; a lost or accepted one holds its customer
// as configured.
func (s *Service) ChangeDispute(ctx context.Context, orgID, txID, id string, ch store.DisputeChange) (*dispute.Dispute, error) {
	ch.AutoHold = s.opts.DisputeHold
	return s.store.ChangeDispute(ctx, orgID, txID, id, ch)
}
