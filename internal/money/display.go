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
	// place is where the symbol stands, from CLDR's currency pattern.
	place placement
}

// placement is where a language writes the currency symbol.
type placement int

const (
	before      placement = iota // "€49.00" (en, ja, zh)
	beforeSpace                  // "€ 49,00" (nl, pt-BR, de-CH)
	after                        // "49,00 €" (de, fr, es, it, pl, sv, ar...)
)

// placements are CLDR's standard currency patterns, by language, and by
// language and region where a region writes it otherwise. A language not
// listed writes the symbol first.
var placements = map[string]placement{
	"nl": beforeSpace, "pt-BR": beforeSpace, "de-CH": beforeSpace, "de-LI": beforeSpace, "it-CH": beforeSpace,
	"de": after, "fr": after, "es": after, "it": after, "pt": after, "pl": after, "sv": after, "da": after,
	"fi": after, "cs": after, "sk": after, "sl": after, "hr": after, "hu": after, "ro": after, "bg": after,
	"el": after, "et": after, "lv": after, "lt": after, "nb": after, "no": after, "is": after, "ru": after,
	"uk": after, "tr": before, "ar": after, "fa": after, "he": beforeSpace, "ca": after, "eu": after, "gl": after,
	"es-MX": before, "es-US": before, "es-419": before, "fr-CA": after, "en-NL": beforeSpace, "en-DE": after,
}

func placementOf(tag language.Tag) placement {
	base, _ := tag.Base()
	if region, conf := tag.Region(); conf == language.Exact {
		if p, ok := placements[base.String()+"-"+region.String()]; ok {
			return p
		}
	}
	return placements[base.String()]
}

// NewFormatter returns a formatter for a BCP 47 tag ("de-DE"); an empty or
// unknown tag formats as English.
func NewFormatter(tag string) *Formatter {
	lang, err := language.Parse(tag)
	if err != nil || tag == "" {
		lang = language.English
	}
	p := message.NewPrinter(lang)
	f := &Formatter{p: p, place: placementOf(lang)}
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

// Format renders minor units of c as the language writes money: "1.234,50 €"
// in German, "€1,234.50" in English, "€ 1.234,50" in Dutch, "¥7,376" in
// Japanese.
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
	symbol := f.p.Sprint(currency.Symbol(unit))
	switch {
	case f.place == after:
		return sign + s + "\u00a0" + symbol
	case f.place == beforeSpace || len([]rune(symbol)) > 1 && unicode.IsLetter([]rune(symbol)[len([]rune(symbol))-1]):
		// "€ 49,00"; and a symbol that ends in a letter ("CHF", "US$"
		// does not) keeps its distance from the digits in every language.
		return sign + symbol + "\u00a0" + s
	}
	return sign + symbol + s
}

// InDigits writes the ASCII digits of s in the language's digits ("2026"
// is "٢٠٢٦" in Arabic); everything else stays.
func (f *Formatter) InDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteString(f.digits[r-'0'])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Number writes a plain decimal ("19", "7.5") with the language's digits
// and decimal separator, as a rate is shown.
func (f *Formatter) Number(dec string) string {
	return strings.Replace(f.InDigits(dec), ".", f.decimal, 1)
}
