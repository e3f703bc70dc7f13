package tax

import (
	"regexp"
	"strings"
)

// vatIDFormats are the VAT identification number formats of the member
// states (prefix included; Greece is EL), GB, CH and NO, as the European
// Commission's VIES documents them and the national authorities publish
// them. A number of the right format may still not exist: only VIES says.
var vatIDFormats = map[string]*regexp.Regexp{
	"AT": regexp.MustCompile(`^ATU\d{8}$`),
	"BE": regexp.MustCompile(`^BE[01]\d{9}$`),
	"BG": regexp.MustCompile(`^BG\d{9,10}$`),
	"CY": regexp.MustCompile(`^CY\d{8}[A-Z]$`),
	"CZ": regexp.MustCompile(`^CZ\d{8,10}$`),
	"DE": regexp.MustCompile(`^DE\d{9}$`),
	"DK": regexp.MustCompile(`^DK\d{8}$`),
	"EE": regexp.MustCompile(`^EE\d{9}$`),
	"GR": regexp.MustCompile(`^EL\d{9}$`),
	"ES": regexp.MustCompile(`^ES[A-Z0-9]\d{7}[A-Z0-9]$`),
	"FI": regexp.MustCompile(`^FI\d{8}$`),
	"FR": regexp.MustCompile(`^FR[A-HJ-NP-Z0-9]{2}\d{9}$`),
	"HR": regexp.MustCompile(`^HR\d{11}$`),
	"HU": regexp.MustCompile(`^HU\d{8}$`),
	"IE": regexp.MustCompile(`^IE(\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])$`),
	"IT": regexp.MustCompile(`^IT\d{11}$`),
	"LT": regexp.MustCompile(`^LT(\d{9}|\d{12})$`),
	"LU": regexp.MustCompile(`^LU\d{8}$`),
	"LV": regexp.MustCompile(`^LV\d{11}$`),
	"MT": regexp.MustCompile(`^MT\d{8}$`),
	"NL": regexp.MustCompile(`^NL\d{9}B\d{2}$`),
	"PL": regexp.MustCompile(`^PL\d{10}$`),
	"PT": regexp.MustCompile(`^PT\d{9}$`),
	"RO": regexp.MustCompile(`^RO\d{2,10}$`),
	"SE": regexp.MustCompile(`^SE\d{10}01$`),
	"SI": regexp.MustCompile(`^SI\d{8}$`),
	"SK": regexp.MustCompile(`^SK\d{10}$`),
	"GB": regexp.MustCompile(`^GB(\d{9}|\d{12}|GD[0-4]\d{2}|HA[5-9]\d{2})$`),
	"CH": regexp.MustCompile(`^CHE\d{9}(MWST|TVA|IVA)?$`),
	"NO": regexp.MustCompile(`^NO\d{9}(MVA)?$`),
}

// NormalizeVATID is a VAT ID as VIES takes it: upper case, without spaces,
// dots or dashes.
func NormalizeVATID(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '\t':
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(s)))
}

// ValidVATIDFormat reports whether id (normalized) has the format of the
// country's VAT IDs; the country is ISO 3166-1 (GR for the EL prefix).
func ValidVATIDFormat(country, id string) bool {
	re, ok := vatIDFormats[strings.ToUpper(country)]
	return ok && re.MatchString(NormalizeVATID(id))
}
