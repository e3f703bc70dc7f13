package store

import (
	"context"
	"errors"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
)

// A surface that creates checkouts on its own references (inTandem's
// checkout and charge keys) finds them again by them.

// FindOrCreateCheckout stores c unless the site already has a checkout with
// the same source reference, which is returned instead (created=false).
func (s *Store) FindOrCreateCheckout(ctx context.Context, c *checkout.Checkout) (*checkout.Checkout, bool, error) {
	return RetryOnConflict(func() (*checkout.Checkout, bool, error) {
		var got *checkout.Checkout
		var created bool
		err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			existing := new(checkout.Checkout)
			err := tx.NewSelect().Model(existing).Where("site_id = ?", c.SiteID).Where("source = ?", c.Source).
				Where("source_ref = ?", c.SourceRef).Scan(ctx)
			if err == nil {
				got, created = existing, false
				return nil
			}
			if !errors.Is(err, errNoRows) {
				return err
			}
			got, created = c, true
			return s.insertCheckout(ctx, tx, c, nil)
		})
		return got, created, err
	})
}

// FindCheckoutBySourceRef returns the checkout of a site with a source reference.
func (s *Store) FindCheckoutBySourceRef(ctx context.Context, siteID string, source checkout.Source, ref string) (*checkout.Checkout, error) {
	c := new(checkout.Checkout)
	if err := s.read.NewSelect().Model(c).Where("site_id = ?", siteID).Where("source = ?", source).Where("source_ref = ?", ref).Scan(ctx); err != nil {
		return nil, notFound(err, "checkout")
	}
	return c, nil
}
