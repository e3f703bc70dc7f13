package money

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Formatter writes amounts for people in one language: digit grouping, decimal
// separator and currency symbol from CLDR, decimals from the currency. Amounts
// stay integers throughout; no float is involved.
type Formatter struct {
	p       *message.Printer
	decimal string
	digits  [10]string // the language's digits: Arabic-Indic in ar, Bengali in bn...
}

// NewFormatter returns a formatter for a BCP 47 tag ("de-DE"); an empty or
// unknown tag formats as English.
func NewFormatter(tag string) *Formatter {
	lang, err := language.Parse(tag)
	if err != nil || tag == "" {
		lang = language.English
	}
	p := message.NewPrinter(lang)
	f := &Formatter{p: p}
	for d := range f.digits {
		f.digits[d] = p.Sprint(number.Decimal(d))
	}
	// The separator is what stands between the digits of 1.5, in whatever
	// script the language writes its digits.
	f.decimal = strings.TrimFunc(p.Sprint(number.Decimal(1.5, number.Scale(1))), func(r rune) bool {
		return unicode.IsDigit(r) || unicode.Is(unicode.Bidi_Control, r)
	})
	if f.decimal == "" {
		f.decimal = "."
	}
	return f
}

// Digits are the language's ten digits, 0 to 9.
func (f *Formatter) Digits() [10]string { return f.digits }

// Decimal is the language's decimal separator.
func (f *Formatter) Decimal() string { return f.decimal }

// Format renders minor units of c, such as "€ 1.234,50" in German or
// "¥ 7,376" in English.
func (f *Formatter) Format(minor int64, c Currency) string {
	unit, err := currency.ParseISO(c.Code)
	if err != nil {
		return Format(minor, c) + " " + c.Code
	}
	sign := ""
	u := uint64(minor)
	if minor < 0 {
		sign, u = "-", uint64(-minor)
	}
	factor := uint64(c.Factor())
	s := f.p.Sprint(number.Decimal(u / factor))
	if c.Exponent > 0 {
		var frac strings.Builder
		for _, d := range fmt.Sprintf("%0*d", c.Exponent, u%factor) {
			frac.WriteString(f.digits[d-'0'])
		}
		s += f.decimal + frac.String()
	}
	return sign + f.p.Sprint(currency.Symbol(unit)) + "\u00a0" + s
}
