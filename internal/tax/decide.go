package tax

import (
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/errs"
)

// Treatment is how VAT applies to a line.
type Treatment string

// Treatments.
const (
	// TreatStandard charges the rate of the line's country (the destination,
	// or the seller's own for intra-EU B2C sales under the distance-selling
	// threshold).
	TreatStandard Treatment = "standard"
	// TreatReverseCharge: intra-EU B2B with a confirmed VAT ID, 0 %.
	TreatReverseCharge Treatment = "reverse_charge"
	// TreatExport: goods leaving the seller's VAT area, 0 %.
	TreatExport Treatment = "export"
	// TreatOutOfScope: services to a place where the seller is not
	// registered, 0 %.
	TreatOutOfScope Treatment = "out_of_scope"
	// TreatExempt: a small business exempt from VAT, or an exempt item.
	TreatExempt Treatment = "exempt"
	// TreatShopComputed: the shop sent its own tax line; nothing is added.
	TreatShopComputed Treatment = "shop_computed"
)

// Notes printed with a treatment on the page and the receipt.
var Notes = map[Treatment]string{
	TreatReverseCharge: "Reverse charge: VAT to be accounted for by the recipient (Article 196 of Directive 2006/112/EC).",
	TreatExport:        "Export of goods: exempt from VAT (Article 146 of Directive 2006/112/EC).",
	TreatOutOfScope:    "Outside the scope of VAT where the seller is established.",
	TreatExempt:        "VAT exempt.",
	TreatShopComputed:  "Tax as computed by the shop.",
}

// Rounding says where tax is rounded to the minor unit.
type Rounding string

// Roundings.
const (
	RoundLine  Rounding = "line"
	RoundTotal Rounding = "total"
)

// Settings are the seller's: where it is established and registered.
type Settings struct {
	SellerCountry string
	SellerVATID   string
	// OSSRegistered: the seller declares EU B2C sales through the One-Stop
	// Shop, so each is taxed at its destination's rate.
	OSSRegistered bool
	// Registrations are other countries where the seller collects VAT.
	Registrations          []string
	SmallBusinessExemption bool
	Rounding               Rounding
}

// Buyer is what decides the place of supply and the buyer's status.
type Buyer struct {
	BillingCountry, BillingRegion, BillingPostcode    string
	ShippingCountry, ShippingRegion, ShippingPostcode string
	VATID                                             string
	// VATIDConfirmed: the VAT ID was confirmed (format and, when required,
	// VIES); only then is the buyer a business.
	VATIDConfirmed bool
}

// Item is one line as the checkout holds it.
type Item struct {
	// Amount is the line's total in minor units (may be negative: a discount).
	Amount int64
	// Net says Amount excludes tax (tax is added); otherwise it includes it.
	Net      bool
	Category Category
	ItemType string
}

// Line is one line's decision.
type Line struct {
	Country, Region string
	Category        Category
	Rate            Rate
	Treatment       Treatment
	Net, Tax, Gross int64
}

// Group is the lines of one country, rate and treatment.
type Group struct {
	Country   string
	Rate      Rate
	Treatment Treatment
	Net, Tax  int64
}

// Label names the group for a buyer or an operator: "VAT 20% (FR)", or the
// treatment ("reverse charge (FR)").
func (g Group) Label() string {
	if g.Treatment != TreatStandard {
		return strings.ReplaceAll(string(g.Treatment), "_", " ") + " (" + g.Country + ")"
	}
	return "VAT " + string(g.Rate) + "% (" + g.Country + ")"
}

// Decision is the tax of a cart: per line, per rate, and in all. Subtotal
// (the nets) plus Tax is exactly Total, what the buyer pays.
type Decision struct {
	Lines                []Line
	Groups               []Group
	Subtotal, Tax, Total int64
	// B2B: the buyer's VAT ID was confirmed.
	B2B bool
	// Notes are the treatments' legal notes, once each.
	Notes []string
}

// Errors of a decision.
var (
	ErrNoCountry = errs.Refused("tax_country_required", "billingAddress.country",
		"the buyer's country decides the tax: give billingAddress.country")
)

// goodsTypes are the item types supplied where they are shipped.
var goodsTypes = []string{"goods", "shipping", "physical"}

// Decide decides the tax of items sold under s to b at the instant at.
func Decide(s Settings, b Buyer, items []Item, at time.Time, rates Rates) (*Decision, error) {
	d := &Decision{B2B: b.VATIDConfirmed && b.VATID != ""}
	if slices.ContainsFunc(items, func(it Item) bool { return it.ItemType == "tax" }) {
		for _, it := range items {
			d.Lines = append(d.Lines, Line{Treatment: TreatShopComputed, Category: Exempt, Rate: "0", Net: it.Amount, Gross: it.Amount})
		}
		return d.sum(), nil
	}
	factors := make([]*big.Rat, len(items))
	for i, it := range items {
		l, err := decideLine(s, b, it, at, rates)
		if err != nil {
			return nil, err
		}
		r, err := l.Rate.Rat()
		if err != nil {
			return nil, err
		}
		// The tax of a line is its amount times this factor.
		if it.Net {
			factors[i] = new(big.Rat).Quo(r, big.NewRat(100, 1))
		} else {
			factors[i] = new(big.Rat).Quo(r, new(big.Rat).Add(big.NewRat(100, 1), r))
		}
		d.Lines = append(d.Lines, l)
	}
	taxes := lineTaxes(items, factors)
	if s.Rounding == RoundTotal {
		taxes = totalTaxes(items, factors, d.Lines)
	}
	for i, it := range items {
		l := &d.Lines[i]
		l.Tax = taxes[i]
		if it.Net {
			l.Net, l.Gross = it.Amount, it.Amount+l.Tax
		} else {
			l.Net, l.Gross = it.Amount-l.Tax, it.Amount
		}
	}
	return d.sum(), nil
}

// decideLine is a line's place, treatment and rate.
func decideLine(s Settings, b Buyer, it Item, at time.Time, rates Rates) (Line, error) {
	cat := it.Category
	if cat == "" {
		cat = Standard
	}
	if !ValidCategory(cat) {
		return Line{}, errs.Refused("validation_error", "items.taxCategory", fmt.Sprintf("taxCategory %q: want standard, reduced, super_reduced, zero or exempt", cat))
	}
	dest, region, postcode := strings.ToUpper(b.BillingCountry), b.BillingRegion, b.BillingPostcode
	goods := slices.Contains(goodsTypes, it.ItemType)
	if goods && b.ShippingCountry != "" {
		dest, region, postcode = strings.ToUpper(b.ShippingCountry), b.ShippingRegion, b.ShippingPostcode
	}
	if dest == "" {
		return Line{}, ErrNoCountry
	}
	seller := strings.ToUpper(s.SellerCountry)
	l := Line{Country: dest, Region: region, Category: cat, Rate: "0"}
	collects := func(c string) bool {
		return c == seller || slices.Contains(s.Registrations, c) || (s.OSSRegistered && InEU(c))
	}
	if Outside(dest, postcode) != "" {
		// A territory outside the EU's VAT area is no EU destination.
		l.Region = Outside(dest, postcode)
		switch {
		case s.SmallBusinessExemption || cat == Exempt:
			l.Treatment = TreatExempt
		case goods:
			l.Treatment = TreatExport
		default:
			l.Treatment = TreatOutOfScope
		}
		return l, nil
	}
	switch {
	case s.SmallBusinessExemption || cat == Exempt:
		l.Treatment = TreatExempt
		return l, nil
	case InEU(seller) && InEU(dest) && dest != seller && b.VATIDConfirmed && b.VATID != "":
		l.Treatment = TreatReverseCharge
		return l, nil
	case dest == seller || collects(dest):
		l.Treatment = TreatStandard
	case InEU(seller) && InEU(dest):
		// Intra-EU B2C under the distance-selling threshold: the seller's rate.
		l.Treatment, l.Country, l.Region = TreatStandard, seller, ""
	case goods:
		l.Treatment = TreatExport
		return l, nil
	default:
		l.Treatment = TreatOutOfScope
		return l, nil
	}
	if cat == Zero {
		return l, nil
	}
	r, ok := rates.Rate(l.Country, l.Region, cat, at)
	if !ok {
		return Line{}, errs.New(errs.Conflict, "tax_rate_missing", fmt.Sprintf(
			"no %s VAT rate for %s on %s: add one with POST /api/v1/tax-rates", cat, l.Country, at.UTC().Format(time.DateOnly)))
	}
	l.Rate = r
	return l, nil
}

// lineTaxes rounds each line's tax on its own.
func lineTaxes(items []Item, factors []*big.Rat) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = roundHalfAway(new(big.Rat).Mul(big.NewRat(it.Amount, 1), factors[i]))
	}
	return out
}

// totalTaxes rounds the tax once per country, rate, treatment and amount
// kind, and shares it among the group's lines by largest remainder.
func totalTaxes(items []Item, factors []*big.Rat, lines []Line) []int64 {
	out := make([]int64, len(items))
	groups := map[string][]int{}
	var order []string
	for i, l := range lines {
		k := fmt.Sprintf("%s|%s|%s|%t", l.Country, l.Rate, l.Treatment, items[i].Net)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	for _, k := range order {
		idx := groups[k]
		exact := make([]*big.Rat, len(idx))
		sum := new(big.Rat)
		for j, i := range idx {
			exact[j] = new(big.Rat).Mul(big.NewRat(items[i].Amount, 1), factors[i])
			sum.Add(sum, exact[j])
		}
		for j, v := range share(roundHalfAway(sum), exact) {
			out[idx[j]] = v
		}
	}
	return out
}

// share splits total, an integer within half a unit of the sum of exact,
// into integers that sum to total: each takes the floor of its exact share,
// and the units left go to the largest remainders (the first on ties).
func share(total int64, exact []*big.Rat) []int64 {
	out := make([]int64, len(exact))
	rem := make([]*big.Rat, len(exact))
	var floors int64
	for i, q := range exact {
		f := floorRat(q)
		out[i] = f
		floors += f
		rem[i] = new(big.Rat).Sub(q, big.NewRat(f, 1))
	}
	order := make([]int, len(exact))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rem[order[a]].Cmp(rem[order[b]]) > 0 })
	for k := total - floors; k > 0; k-- {
		out[order[(total-floors-k)%int64(len(order))]]++
	}
	return out
}

func floorRat(q *big.Rat) int64 {
	n, d := q.Num(), q.Denom()
	f := new(big.Int).Div(n, d) // Euclidean: floor for a positive divisor
	return f.Int64()
}

// Summed is the decision with its totals, groups and notes worked out from
// its lines (for lines read back from a record).
func (d Decision) Summed() *Decision { return d.sum() }

func (d *Decision) sum() *Decision {
	d.Subtotal, d.Tax, d.Total, d.Groups, d.Notes = 0, 0, 0, nil, nil
	at := map[string]int{}
	for _, l := range d.Lines {
		d.Subtotal += l.Net
		d.Tax += l.Tax
		d.Total += l.Gross
		k := l.Country + "|" + string(l.Rate) + "|" + string(l.Treatment)
		i, ok := at[k]
		if !ok {
			i = len(d.Groups)
			at[k] = i
			d.Groups = append(d.Groups, Group{Country: l.Country, Rate: l.Rate, Treatment: l.Treatment})
		}
		d.Groups[i].Net += l.Net
		d.Groups[i].Tax += l.Tax
		if n := Notes[l.Treatment]; n != "" && !slices.Contains(d.Notes, n) {
			d.Notes = append(d.Notes, n)
		}
	}
	return d
}

// Refund splits a refund of amount (at most what is left of the lines)
// across lines in proportion to what is left of each, exactly: the parts'
// grosses sum to amount (largest remainder), and each part's tax is its
// share of the line's tax, so nets plus taxes stay exact. left is each
// line's gross, net and tax not yet refunded.
func Refund(left []Line, amount int64) ([]Line, error) {
	var total int64
	for _, l := range left {
		total += l.Gross
	}
	if amount == total {
		return slices.Clone(left), nil
	}
	if total == 0 || amount < 0 || (total > 0 && amount > total) || (total < 0 && amount < total) {
		return nil, fmt.Errorf("refund of %d does not fit what is left (%d)", amount, total)
	}
	exact := make([]*big.Rat, len(left))
	for i, l := range left {
		exact[i] = big.NewRat(amount*1, 1)
		exact[i].Mul(exact[i], big.NewRat(l.Gross, total))
	}
	grosses := share(amount, exact)
	out := make([]Line, len(left))
	for i, l := range left {
		p := l
		p.Gross = grosses[i]
		if l.Gross != 0 {
			p.Tax = roundHalfAway(new(big.Rat).Mul(big.NewRat(p.Gross, 1), big.NewRat(l.Tax, l.Gross)))
		} else {
			p.Tax = 0
		}
		// A part never refunds more tax than the line has left.
		if abs(p.Tax) > abs(l.Tax) {
			p.Tax = l.Tax
		}
		p.Net = p.Gross - p.Tax
		out[i] = p
	}
	return out, nil
}

// Sub is what is left of lines after parts were refunded.
func Sub(lines, parts []Line) []Line {
	out := slices.Clone(lines)
	for i := range out {
		out[i].Gross -= parts[i].Gross
		out[i].Net -= parts[i].Net
		out[i].Tax -= parts[i].Tax
	}
	return out
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
