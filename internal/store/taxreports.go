package store

import (
	"context"
	"fmt"
	"time"

	"github.com/pgw/pgw/internal/tax"
	"github.com/uptrace/bun"
)

// TaxReportFilter narrows a tax report to a period (From inclusive, To
// exclusive), a currency and a site.
type TaxReportFilter struct {
	OrganizationID string
	From, To       time.Time
	Currency       string
	SiteID         string
	// Treatments keeps only rows of these treatments (all when empty).
	Treatments []tax.Treatment
	// ExcludeCountry leaves out the seller's own country (the OSS report).
	ExcludeCountry string
}

// TaxReportRow is the ledger summed for one country, rate, treatment and
// currency: payments less refunds.
type TaxReportRow struct {
	Country   string        `bun:"country"`
	Rate      tax.Rate      `bun:"rate"`
	Treatment tax.Treatment `bun:"treatment"`
	Currency  string        `bun:"currency"`
	Net       int64         `bun:"net"`
	Tax       int64         `bun:"tax"`
	Gross     int64         `bun:"gross"`
	Entries   int64         `bun:"entries"`
}

// TaxReport sums the ledger by country, rate, treatment and currency.
func (s *Store) TaxReport(ctx context.Context, f TaxReportFilter) ([]TaxReportRow, error) {
	var out []TaxReportRow
	q := s.read.NewSelect().Model((*TaxRecord)(nil)).
		ColumnExpr("tax_record.country, tax_record.rate, tax_record.treatment, tax_record.currency").
		ColumnExpr("SUM(tax_record.net) AS net, SUM(tax_record.tax) AS tax, SUM(tax_record.gross) AS gross, COUNT(*) AS entries").
		Where("tax_record.organization_id = ?", f.OrganizationID).
		Where("tax_record.recorded_at >= ?", f.From).Where("tax_record.recorded_at < ?", f.To)
	if f.Currency != "" {
		q = q.Where("tax_record.currency = ?", f.Currency)
	}
	if f.SiteID != "" {
		q = q.Where("tax_record.transaction_id IN (SELECT id FROM transactions WHERE organization_id = ? AND site_id = ?)", f.OrganizationID, f.SiteID)
	}
	if len(f.Treatments) > 0 {
		q = q.Where("tax_record.treatment IN (?)", bun.In(f.Treatments))
	}
	if f.ExcludeCountry != "" {
		q = q.Where("tax_record.country <> ?", f.ExcludeCountry)
	}
	err := q.GroupExpr("tax_record.country, tax_record.rate, tax_record.treatment, tax_record.currency").
		OrderExpr("tax_record.country, tax_record.currency, tax_record.rate, tax_record.treatment").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("summing the tax ledger: %w", err)
	}
	return out, nil
}
