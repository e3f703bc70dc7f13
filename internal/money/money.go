// Package money holds amounts as int64 minor units of an ISO 4217 currency and
// converts external representations into them exactly, never through float64.
package money

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"

	"golang.org/x/text/currency"
)

// Errors returned by the parsers; callers map them to validation messages.
var (
	ErrUnknownCurrency  = errors.New("unknown ISO 4217 currency")
	ErrNotInteger       = errors.New("not a whole number")
	ErrOutOfRange       = errors.New("out of range")
	ErrNotRepresentable = errors.New("not exactly representable in the currency's minor units")
)

// Currency is a validated, upper-case ISO 4217 code with its minor-unit exponent.
type Currency struct {
	Code     string
	Exponent int
}

// ParseCurrency validates an ISO 4217 code (case-insensitive) and returns it with
// its exponent. Codes for testing, precious metals and funds without minor units
// (XXX, XTS, XAU...) are refused: nobody pays a checkout in them.
func ParseCurrency(code string) (Currency, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) != 3 || code[0] == 'X' && code != "XAF" && code != "XOF" && code != "XPF" && code != "XCD" {
		return Currency{}, fmt.Errorf("%w: %q", ErrUnknownCurrency, code)
	}
	unit, err := currency.ParseISO(code)
	if err != nil {
		return Currency{}, fmt.Errorf("%w: %q", ErrUnknownCurrency, code)
	}
	scale, _ := currency.Standard.Rounding(unit)
	return Currency{Code: unit.String(), Exponent: scale}, nil
}

// Factor is 10^Exponent: the number of minor units in one major unit.
func (c Currency) Factor() int64 { return pow10(c.Exponent) }

// IntegerFromJSON parses a JSON number literal that must denote a whole number,
// such as "4900", "4900.0" or "4.9e3" (PHP's json_encode writes round() results
// as "4900.0"). Fractions and values outside int64 are refused.
func IntegerFromJSON(lit string) (int64, error) {
	r, ok := new(big.Rat).SetString(lit)
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrNotInteger, lit)
	}
	if !r.IsInt() {
		return 0, fmt.Errorf("%w: %q", ErrNotInteger, lit)
	}
	n := r.Num()
	if !n.IsInt64() {
		return 0, fmt.Errorf("%w: %q", ErrOutOfRange, lit)
	}
	return n.Int64(), nil
}

// CentsToMinor converts hundredths of a major unit into the currency's minor
// units: JPY 737600 cents is 7376 yen, KWD 1234 cents is 12340 fils. A value that
// does not land on a whole minor unit (JPY 150 cents) is refused.
func CentsToMinor(cents int64, c Currency) (int64, error) {
	switch {
	case c.Exponent == 2:
		return cents, nil
	case c.Exponent < 2:
		d := pow10(2 - c.Exponent)
		if cents%d != 0 {
			return 0, fmt.Errorf("%w: %d hundredths of %s", ErrNotRepresentable, cents, c.Code)
		}
		return cents / d, nil
	default:
		m := pow10(c.Exponent - 2)
		if cents > math.MaxInt64/m || cents < math.MinInt64/m {
			return 0, fmt.Errorf("%w: %d hundredths of %s", ErrOutOfRange, cents, c.Code)
		}
		return cents * m, nil
	}
}

// ParseDecimal parses a decimal string in major units ("85.0", "150.00", "7")
// into minor units exactly. More fractional digits than the currency has are
// accepted only when they are zeros.
func ParseDecimal(s string, c Currency) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "eE") {
		return 0, fmt.Errorf("%w: %q", ErrNotInteger, s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrNotInteger, s)
	}
	r.Mul(r, new(big.Rat).SetInt64(c.Factor()))
	if !r.IsInt() {
		return 0, fmt.Errorf("%w: %s %s", ErrNotRepresentable, s, c.Code)
	}
	if !r.Num().IsInt64() {
		return 0, fmt.Errorf("%w: %q", ErrOutOfRange, s)
	}
	return r.Num().Int64(), nil
}

// Format renders minor units as a plain decimal string in major units
// ("49.00", "7376", "12.340"), the form used in APIs that speak major units.
func Format(minor int64, c Currency) string {
	if c.Exponent == 0 {
		return fmt.Sprintf("%d", minor)
	}
	sign := ""
	u := uint64(minor)
	if minor < 0 {
		sign = "-"
		u = uint64(-minor)
	}
	f := uint64(c.Factor())
	return fmt.Sprintf("%s%d.%0*d", sign, u/f, c.Exponent, u%f)
}

// MulAdd returns acc + a*b, or an error when any step overflows int64.
func MulAdd(acc, a, b int64) (int64, error) {
	if a != 0 && b != 0 {
		p := a * b
		if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
			return 0, ErrOutOfRange
		}
		a = p
	} else {
		a = 0
	}
	s := acc + a
	if (a > 0 && s < acc) || (a < 0 && s > acc) {
		return 0, ErrOutOfRange
	}
	return s, nil
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
