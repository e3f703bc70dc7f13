package money

import (
	"fmt"
	"strings"

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
}

// NewFormatter returns a formatter for a BCP 47 tag ("de-DE"); an empty or
// unknown tag formats as English.
func NewFormatter(tag string) *Formatter {
	lang, err := language.Parse(tag)
	if err != nil || tag == "" {
		lang = language.English
	}
	p := message.NewPrinter(lang)
	dec := strings.Trim(p.Sprint(number.Decimal(1.5, number.Scale(1))), "15")
	if dec == "" {
		dec = "."
	}
	return &Formatter{p: p, decimal: dec}
}

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
		s += f.decimal + fmt.Sprintf("%0*d", c.Exponent, u%factor)
	}
	return sign + f.p.Sprint(currency.Symbol(unit)) + "\u00a0" + s
}
