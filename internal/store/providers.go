package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/tenant"
)

// ErrProviderInUse is a provider that payments were made with: it is
// disabled, never deleted, so that their refunds and webhooks still work.
var ErrProviderInUse = errs.New(errs.Conflict, "provider_in_use",
	"payments were made with this provider; disable it instead (POST .../disable), so that their refunds still work")

// UpdateProvider stores a provider's new name and configuration (sealed).
func (s *Store) UpdateProvider(ctx context.Context, p *tenant.Provider) error {
	res, err := s.write.NewUpdate().Model((*providerRow)(nil)).Set("name = ?", p.Name).
		Set("config_enc = ?", s.box.Seal(p.Config, "provider:"+p.ID)).
		Where("id = ?", p.ID).Where("organization_id = ?", p.OrganizationID).Where("site_id = ?", p.SiteID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("updating provider: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("provider %s: %w", p.ID, errs.ErrNotFound)
	}
	return nil
}

// DeleteProvider deletes a provider no payment was made with, in one
// conditional statement: a payment that starts meanwhile keeps it.
func (s *Store) DeleteProvider(ctx context.Context, orgID, siteID, id string) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*providerRow)(nil)).Where("id = ?", id).Where("organization_id = ?", orgID).
			Where("site_id = ?", siteID).
			Where("NOT EXISTS (?)", tx.NewSelect().Model((*checkout.Transaction)(nil)).ColumnExpr("1").Where("provider_id = ?", id)).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("deleting provider: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var exists int
		if err := tx.NewSelect().Model((*providerRow)(nil)).ColumnExpr("count(*)").Where("id = ?", id).
			Where("organization_id = ?", orgID).Where("site_id = ?", siteID).Scan(ctx, &exists); err != nil {
			return fmt.Errorf("reading provider: %w", err)
		}
		if exists == 0 {
			return fmt.Errorf("provider %s: %w", id, errs.ErrNotFound)
		}
		return ErrProviderInUse
	})
}
