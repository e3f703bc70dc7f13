package payment

import (
	"context"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/limits"
)

// AttemptLimits bound payment attempts, so that nobody can test stolen cards
// against a checkout, a site or from one address without end.
type AttemptLimits struct {
	PerCheckout, PerClient, PerSite limits.Rule
}

// TakeAttempt counts one payment attempt on c from client, or answers
// *limits.Exceeded, before anything is written or any provider is asked.
func (s *Service) TakeAttempt(ctx context.Context, c *checkout.Checkout, client string) error {
	l := s.opts.AttemptLimits
	return s.opts.Limiter.Take(ctx,
		limits.Key{Bucket: "pay:checkout:" + c.ID, Rule: l.PerCheckout},
		limits.Key{Bucket: "pay:client:" + client, Rule: l.PerClient},
		limits.Key{Bucket: "pay:site:" + c.SiteID, Rule: l.PerSite})
}

// TakeBusinessAttempt counts one card check or charge of an inTandem
// business: per business as per site, and per client address when the
// request comes from a browser (client is "" for inTandem's own servers).
func (s *Service) TakeBusinessAttempt(ctx context.Context, businessUID, client string) error {
	l := s.opts.AttemptLimits
	keys := []limits.Key{{Bucket: "pay:business:" + businessUID, Rule: l.PerSite}}
	if client != "" {
		keys = append(keys, limits.Key{Bucket: "pay:client:" + client, Rule: l.PerClient})
	}
	return s.opts.Limiter.Take(ctx, keys...)
}
