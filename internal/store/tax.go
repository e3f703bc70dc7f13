package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/tax"
)

// taxSettingsRow is an organization's tax settings as stored.
type taxSettingsRow struct {
	bun.BaseModel          `bun:"table:tax_settings"`
	OrganizationID         string       `bun:",pk"`
	Enabled                bool         `bun:",notnull"`
	SellerCountry          string       `bun:",notnull"`
	SellerVATID            string       `bun:"seller_vat_id,notnull"`
	OSSRegistered          bool         `bun:"oss_registered,notnull"`
	Registrations          string       `bun:",notnull"` // space-separated
	SmallBusinessExemption bool         `bun:",notnull"`
	Rounding               tax.Rounding `bun:",notnull"`
	VIESCheck              string       `bun:"vies_check,notnull"`
	UpdatedAt              time.Time    `bun:",notnull"`
}

// TaxConfig returns an organization's tax settings, the defaults (off) when
// it saved none.
func (s *Store) TaxConfig(ctx context.Context, orgID string) (tax.Config, error) {
	row := new(taxSettingsRow)
	err := s.read.NewSelect().Model(row).Where("organization_id = ?", orgID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return tax.DefaultConfig(), nil
	}
	if err != nil {
		return tax.Config{}, fmt.Errorf("loading tax settings: %w", err)
	}
	return tax.Config{Enabled: row.Enabled, VIESCheck: row.VIESCheck, UpdatedAt: row.UpdatedAt, Settings: tax.Settings{
		SellerCountry: row.SellerCountry, SellerVATID: row.SellerVATID, OSSRegistered: row.OSSRegistered,
		Registrations: strings.Fields(row.Registrations), SmallBusinessExemption: row.SmallBusinessExemption, Rounding: row.Rounding,
	}}, nil
}

// PutTaxConfig saves an organization's tax settings (checked by the caller).
func (s *Store) PutTaxConfig(ctx context.Context, orgID string, c tax.Config) error {
	row := &taxSettingsRow{OrganizationID: orgID, Enabled: c.Enabled, SellerCountry: c.SellerCountry, SellerVATID: c.SellerVATID,
		OSSRegistered: c.OSSRegistered, Registrations: strings.Join(c.Registrations, " "),
		SmallBusinessExemption: c.SmallBusinessExemption, Rounding: c.Rounding, VIESCheck: c.VIESCheck, UpdatedAt: c.UpdatedAt}
	_, err := s.write.NewInsert().Model(row).On("CONFLICT (organization_id) DO UPDATE").
		Set("enabled = EXCLUDED.enabled, seller_country = EXCLUDED.seller_country, seller_vat_id = EXCLUDED.seller_vat_id").
		Set("oss_registered = EXCLUDED.oss_registered, registrations = EXCLUDED.registrations").
		Set("small_business_exemption = EXCLUDED.small_business_exemption, rounding = EXCLUDED.rounding").
		Set("vies_check = EXCLUDED.vies_check, updated_at = EXCLUDED.updated_at").Exec(ctx)
	if err != nil {
		return fmt.Errorf("saving tax settings: %w", err)
	}
	return nil
}

// taxRateRow is a merchant's rate as stored.
type taxRateRow struct {
	bun.BaseModel `bun:"table:tax_rates"`
	tax.MerchantRate
}

// MaxTaxRates is how many rates of its own an organization keeps at most.
const MaxTaxRates = 500

// CreateTaxRate stores a merchant's rate (checked by the caller).
func (s *Store) CreateTaxRate(ctx context.Context, m *tax.MerchantRate) error {
	n, err := s.read.NewSelect().Model((*taxRateRow)(nil)).Where("organization_id = ?", m.OrganizationID).Count(ctx)
	if err != nil {
		return fmt.Errorf("counting tax rates: %w", err)
	}
	if n >= MaxTaxRates {
		return errs.New(errs.Conflict, "limit_reached", fmt.Sprintf("an organization has at most %d tax rates of its own", MaxTaxRates))
	}
	if _, err := s.write.NewInsert().Model(&taxRateRow{MerchantRate: *m}).Exec(ctx); err != nil {
		return fmt.Errorf("inserting tax rate: %w", err)
	}
	return nil
}

// UpdateTaxRate replaces a rate of the organization.
func (s *Store) UpdateTaxRate(ctx context.Context, m *tax.MerchantRate) error {
	res, err := s.write.NewUpdate().Model(&taxRateRow{MerchantRate: *m}).
		Column("country", "region", "category", "rate", "effective_from").
		Where("id = ?", m.ID).Where("organization_id = ?", m.OrganizationID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("updating tax rate: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("tax rate %s: %w", m.ID, errs.ErrNotFound)
	}
	return nil
}

// DeleteTaxRate removes a rate of the organization.
func (s *Store) DeleteTaxRate(ctx context.Context, orgID, id string) error {
	res, err := s.write.NewDelete().Model((*taxRateRow)(nil)).Where("id = ?", id).Where("organization_id = ?", orgID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("deleting tax rate: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("tax rate %s: %w", id, errs.ErrNotFound)
	}
	return nil
}

// TaxRates returns the organization's own rates, optionally of one country,
// by country, region, category and date.
func (s *Store) TaxRates(ctx context.Context, orgID, country string) (tax.MerchantRates, error) {
	var rows []taxRateRow
	q := s.read.NewSelect().Model(&rows).Where("organization_id = ?", orgID)
	if country != "" {
		q = q.Where("country = ?", strings.ToUpper(country))
	}
	if err := q.OrderExpr("country, region, category, effective_from").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing tax rates: %w", err)
	}
	out := make(tax.MerchantRates, len(rows))
	for i, r := range rows {
		out[i] = r.MerchantRate
	}
	return out, nil
}
