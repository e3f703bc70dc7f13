package money

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// parseBack reads an amount written by f back into minor units: the
// language's digits, its decimal separator, and nothing else counts.
func parseBack(f *Formatter, s string, exp int) (int64, bool) {
	var v int64
	frac := -1
	for len(s) > 0 {
		matched := false
		for d, digit := range f.Digits() {
			if strings.HasPrefix(s, digit) {
				v = v*10 + int64(d)
				if frac >= 0 {
					frac++
				}
				s, matched = s[len(digit):], true
				break
			}
		}
		if matched {
			continue
		}
		if strings.HasPrefix(s, f.Decimal()) && frac < 0 {
			frac, s = 0, s[len(f.Decimal()):]
			continue
		}
		_, size := utf8.DecodeRuneInString(s)
		s = s[size:]
	}
	if exp == 0 {
		return v, frac < 0
	}
	return v, frac == exp
}

// Every amount, in every language, reads back as the amount: digits of the
// language's own script, its decimal separator, the currency's decimals.
func TestFormatRoundTripInManyLanguages(t *testing.T) {
	langs := []string{"en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "fi", "cs", "ja", "zh-Hans", "ar",
		"fa", "bn", "mr", "ne", "hi", "ru", "uk", "tr", "he", "th", "ko", "el", "hu", "ro", "de-CH", "fr-CH", "en-IN", "my", "ur"}
	currencies := []Currency{{"EUR", 2}, {"JPY", 0}, {"KWD", 3}, {"USD", 2}, {"INR", 2}}
	amounts := []int64{0, 1, 49, 4900, 4901, 123456, 100000000, 9999999999999}
	if len(langs) < 30 {
		t.Fatal("fewer than 30 languages")
	}
	for _, lang := range langs {
		f := NewFormatter(lang)
		for _, c := range currencies {
			for _, a := range amounts {
				s := f.Format(a, c)
				got, ok := parseBack(f, s, c.Exponent)
				if !ok || got != a {
					t.Errorf("%s %s %d is written %q and reads back as %d (decimals right: %v)", lang, c.Code, a, s, got, ok)
				}
			}
		}
	}
	// The bug this guards against: Arabic mixed its digits with Latin ones.
	if s := NewFormatter("ar").Format(4900, Currency{"EUR", 2}); strings.ContainsAny(s, "0123456789") {
		t.Fatalf("Arabic amount with Latin digits: %q", s)
	}
}
