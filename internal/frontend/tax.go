package frontend

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/lang"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/tax"
	"github.com/pgw/pgw/internal/taxes"
	"github.com/pgw/pgw/templates/hosted"
)

// taxInput is what the buyer told the page: a country and a VAT ID, from the
// query (Update total) or the payment form.
type taxInput struct{ country, vatID, postcode, company string }

func taxInputOf(r *http.Request) taxInput {
	c := strings.ToUpper(strings.TrimSpace(r.Form.Get("country")))
	if len(c) != 2 {
		c = ""
	}
	v := strings.TrimSpace(r.Form.Get("vat_id"))
	if len(v) > 30 {
		v = v[:30]
	}
	pc := strings.TrimSpace(r.Form.Get("postcode"))
	if len(pc) > 12 {
		pc = pc[:12]
	}
	co := strings.TrimSpace(r.Form.Get("company"))
	if len(co) > 100 || strings.ContainsFunc(co, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		co = ""
	}
	return taxInput{country: c, vatID: v, postcode: pc, company: co}
}

// billing is the buyer's billing address with the country the page was given.
func (in taxInput) billing(c *checkout.Checkout) *checkout.Address {
	if in.country == "" {
		return nil
	}
	a := checkout.Address{}
	if c.BillingAddress != nil {
		a = *c.BillingAddress
	}
	a.Country = in.country
	if in.postcode != "" {
		a.Postcode = in.postcode
	}
	if in.company != "" {
		a.Company = in.company
	}
	return &a
}

// otherCountries are offered beside the ones whose rates are embedded.
var otherCountries = []string{"US", "CA", "AU", "NZ", "JP", "KR", "CN", "HK", "SG", "IN", "AE", "IL", "TR", "BR", "MX", "ZA"}

// taxed applies the tax engine to the page's summary when the organization
// uses it and the checkout is the merchant's own: the lines' taxes for the
// buyer's country, the total that will be charged, and the form that asks
// for the country and VAT ID. A nil form means the engine is not in use.
func (f *Frontend) taxed(ctx context.Context, c *checkout.Checkout, fm *money.Formatter, p *lang.Printer, in taxInput, sum *hosted.Summary) (*hosted.TaxForm, error) {
	tx := f.pay.Taxes()
	if tx == nil || (c.Source != checkout.SourceAPI && c.Source != checkout.SourceDashboard) {
		return nil, nil
	}
	form := &hosted.TaxForm{Action: "/checkout/" + c.ShortCode, Country: in.country, VATID: in.vatID, Postcode: in.postcode,
		Company: in.company, Countries: countryChoices(p.Tag)}
	b := in.billing(c)
	if b == nil && c.BillingAddress != nil && c.BillingAddress.Country != "" {
		b = c.BillingAddress
		form.Country = b.Country
	}
	q, err := tx.Quote(ctx, c, taxes.Buyer{Billing: b, Shipping: c.ShippingAddress, VATID: in.vatID})
	if errors.Is(err, taxes.ErrDisabled) {
		return nil, nil
	}
	if e, ok := errs.As(err); ok && e.Code == tax.ErrNoCountry.Code {
		form.Missing = true
		return form, nil
	}
	if e, ok := errs.As(err); ok && e.Kind == errs.TooMany {
		form.Reason = p.T("tax.busy")
		return form, nil
	}
	if err != nil {
		return nil, err
	}
	cur, err := money.ParseCurrency(c.Currency)
	if err != nil {
		return nil, err
	}
	showDecision(sum, q.Decision, fm, cur)
	form.Notes, form.Reason = q.Decision.Notes, q.Evidence.Reason
	return form, nil
}

// showDecision puts a tax decision in a page's summary: each line's gross,
// the tax per group, the subtotal and the total charged.
func showDecision(sum *hosted.Summary, d *tax.Decision, fm *money.Formatter, cur money.Currency) {
	sum.Totals = hosted.Totals{Subtotal: fm.Format(d.Subtotal, cur), Total: fm.Format(d.Total, cur)}
	for _, g := range d.Groups {
		sum.Totals.Taxes = append(sum.Totals.Taxes, hosted.TaxLine{Label: g.Label(), Amount: fm.Format(g.Tax, cur)})
	}
	for i := range sum.Lines {
		if i < len(d.Lines) {
			sum.Lines[i].VATNote, sum.Lines[i].Total = "", fm.Format(d.Lines[i].Gross, cur)
		}
	}
}

// chargedTax puts the tax a payment was charged under the tax engine in the
// receipt's summary (nothing for a payment taken without it).
func (f *Frontend) chargedTax(ctx context.Context, c *checkout.Checkout, txID string, fm *money.Formatter, sum *hosted.Summary) error {
	tt, _, err := f.store.TransactionTaxOf(ctx, txID)
	if err != nil || tt == nil {
		return err
	}
	lines, err := tt.DecodedLines()
	if err != nil {
		return err
	}
	cur, err := money.ParseCurrency(c.Currency)
	if err != nil {
		return err
	}
	showDecision(sum, (tax.Decision{Lines: lines}).Summed(), fm, cur)
	return nil
}

// countryChoices are the countries of the embedded rates and a few more,
// named and sorted in the page's language.
func countryChoices(tag language.Tag) []hosted.Country {
	t, err := tax.Embedded()
	codes := otherCountries
	if err == nil {
		codes = append(t.Countries(), otherCountries...)
	}
	names := display.Regions(tag)
	out := make([]hosted.Country, 0, len(codes))
	for _, code := range codes {
		name := code
		if r, err := language.ParseRegion(code); err == nil {
			name = names.Name(r)
		}
		out = append(out, hosted.Country{Code: code, Name: name})
	}
	col := collate.New(tag)
	slices.SortFunc(out, func(a, b hosted.Country) int { return col.CompareString(a.Name, b.Name) })
	return out
}
