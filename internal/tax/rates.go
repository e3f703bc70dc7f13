package tax

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// Category is how an item is taxed: the rate class its destination applies.
type Category string

// Categories. Zero is taxed at 0 %; exempt is outside VAT altogether.
const (
	Standard     Category = "standard"
	Reduced      Category = "reduced"
	SuperReduced Category = "super_reduced"
	Zero         Category = "zero"
	Exempt       Category = "exempt"
)

// ValidCategory reports whether c is a known category ("" is standard).
func ValidCategory(c Category) bool {
	switch c {
	case "", Standard, Reduced, SuperReduced, Zero, Exempt:
		return true
	}
	return false
}

// Rate is a percentage as exact decimal text ("25.5").
type Rate string

// Rat is the rate as an exact fraction.
func (r Rate) Rat() (*big.Rat, error) {
	v, ok := new(big.Rat).SetString(string(r))
	if !ok || v.Sign() < 0 || v.Cmp(big.NewRat(100, 1)) > 0 {
		return nil, fmt.Errorf("tax rate %q is not a percentage from 0 to 100", string(r))
	}
	return v, nil
}

// Rates finds the rate a place applies to a category on a date.
type Rates interface {
	// Rate is the rate of category in country (and region, where the
	// merchant's own rates distinguish them) at the instant at.
	Rate(country, region string, c Category, at time.Time) (Rate, bool)
}

//go:embed data/vat_rates.json
var ratesFile []byte

type period struct {
	From         string `json:"from"`
	Standard     Rate   `json:"standard"`
	Reduced      Rate   `json:"reduced"`
	SuperReduced Rate   `json:"superReduced"`
	from         time.Time
}

// Table is the embedded VAT rates of the EU member states, GB, CH and NO.
type Table struct {
	// Retrieved is when the data was read from its sources.
	Retrieved string
	// Sources names where each fact comes from.
	Sources   []string
	byCountry map[string][]period
}

// Embedded parses the rates compiled into the binary.
func Embedded() (*Table, error) {
	var f struct {
		Sources   []string            `json:"sources"`
		Retrieved string              `json:"retrieved"`
		Rates     map[string][]period `json:"rates"`
	}
	if err := json.Unmarshal(ratesFile, &f); err != nil {
		return nil, fmt.Errorf("reading the embedded VAT rates: %w", err)
	}
	for country, ps := range f.Rates {
		for i := range ps {
			p := &ps[i]
			for _, r := range []Rate{p.Standard, p.Reduced, p.SuperReduced} {
				if _, err := r.Rat(); r != "" && err != nil {
					return nil, fmt.Errorf("VAT rates of %s: %w", country, err)
				}
			}
			if p.From != "" {
				t, err := time.Parse(time.DateOnly, p.From)
				if err != nil {
					return nil, fmt.Errorf("VAT rates of %s: %w", country, err)
				}
				p.from = t
			}
			if i > 0 && !ps[i-1].from.After(p.from) {
				return nil, fmt.Errorf("VAT rates of %s are not newest first", country)
			}
		}
	}
	return &Table{Retrieved: f.Retrieved, Sources: f.Sources, byCountry: f.Rates}, nil
}

// Countries are the countries the table knows, sorted.
func (t *Table) Countries() []string {
	out := make([]string, 0, len(t.byCountry))
	for c := range t.byCountry {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Rate implements Rates. A category the country lacks falls back to the
// next higher one (super-reduced to reduced to standard); zero and exempt are
// 0 everywhere the country is known. Dates are compared in UTC.
func (t *Table) Rate(country, _ string, c Category, at time.Time) (Rate, bool) {
	ps, ok := t.byCountry[strings.ToUpper(country)]
	if !ok {
		return "", false
	}
	day := at.UTC()
	for _, p := range ps {
		if p.from.IsZero() || !day.Before(p.from) {
			switch c {
			case Zero, Exempt:
				return "0", true
			case SuperReduced:
				if p.SuperReduced != "" {
					return p.SuperReduced, true
				}
				fallthrough
			case Reduced:
				if p.Reduced != "" {
					return p.Reduced, true
				}
			}
			return p.Standard, true
		}
	}
	return "", false
}

// Chain asks each Rates in turn: the merchant's own rates before the
// embedded table.
type Chain []Rates

// Rate implements Rates.
func (ch Chain) Rate(country, region string, c Category, at time.Time) (Rate, bool) {
	for _, r := range ch {
		if v, ok := r.Rate(country, region, c, at); ok {
			return v, true
		}
	}
	return "", false
}

// EU are the member states (ISO 3166-1 alpha-2; Greece is GR here, EL in
// VAT numbers).
var EU = []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
	"LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}

// InEU reports whether country is a member state.
func InEU(country string) bool { return slices.Contains(EU, strings.ToUpper(country)) }
