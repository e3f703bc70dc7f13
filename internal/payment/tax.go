package payment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tax"
	"github.com/pgw/pgw/internal/taxes"
)

// TaxBuyer is what a buyer told the page or the API that the tax depends on:
// the billing address (its country) and a VAT ID.
type TaxBuyer struct {
	Billing *checkout.Address
	VATID   string
}

// sameTaxBuyer reports whether the attempt txID was decided for buyer's
// country and VAT ID (an attempt without a frozen decision is anyone's).
func (s *Service) sameTaxBuyer(ctx context.Context, txID string, buyer TaxBuyer) (bool, error) {
	tt, _, err := s.store.TransactionTaxOf(ctx, txID)
	if err != nil || tt == nil {
		return err == nil, err
	}
	var ev taxes.Evidence
	if err := json.Unmarshal([]byte(tt.Evidence), &ev); err != nil {
		return false, fmt.Errorf("reading the tax evidence: %w", err)
	}
	country := ""
	if buyer.Billing != nil {
		country = strings.ToUpper(buyer.Billing.Country)
	}
	return (country == "" || ev.BillingCountry == country) && ev.VATID == tax.NormalizeVATID(buyer.VATID), nil
}

// Taxes is the tax service payments decide with (nil without one).
func (s *Service) Taxes() *taxes.Service { return s.opts.Taxes }

// taxed is what an attempt charges: the checkout's amount, or, when the
// organization uses the tax engine and the checkout came through the Admin
// API or the dashboard, the decision's total for the buyer's
// details, frozen with its evidence for the attempt's record. The country
// the buyer gives at payment decides; else the checkout's.
func (s *Service) taxed(ctx context.Context, c *checkout.Checkout, billing *checkout.Address, vatID string) (int64, *store.TransactionTax, error) {
	// Orchestrapay and inTandem ask for an exact amount: theirs is charged.
	if s.opts.Taxes == nil || (c.Source != checkout.SourceAPI && c.Source != checkout.SourceDashboard) {
		return c.Amount, nil, nil
	}
	b := c.BillingAddress
	if billing != nil && billing.Country != "" {
		b = billing
	}
	q, err := s.opts.Taxes.Decide(ctx, c, taxes.Buyer{Billing: b, Shipping: c.ShippingAddress, VATID: vatID})
	if errors.Is(err, taxes.ErrDisabled) {
		return c.Amount, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	lines, err := json.Marshal(q.Decision.Lines)
	if err != nil {
		return 0, nil, fmt.Errorf("encoding the tax decision: %w", err)
	}
	ev, err := json.Marshal(q.Evidence)
	if err != nil {
		return 0, nil, fmt.Errorf("encoding the tax evidence: %w", err)
	}
	d := q.Decision
	return d.Total, &store.TransactionTax{Currency: c.Currency, Subtotal: d.Subtotal, Tax: d.Tax, Total: d.Total,
		Lines: string(lines), Evidence: string(ev), DecidedAt: q.At}, nil
}
