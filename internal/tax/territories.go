package tax

import (
	"regexp"
	"strings"
)

// territory is a part of a member state outside the EU's VAT area: a supply
// there is not an EU one, whatever its country code says (Article 6 of
// Directive 2006/112/EC). Postcodes as the national posts use them, read
// 2026-12-03 from ibericode/vat-rates' exceptions.
type territory struct {
	country, name string
	postcode      *regexp.Regexp
}

var territories = []territory{
	{"ES", "Canary Islands", regexp.MustCompile(`^(35|38)\d{3}$`)},
	{"ES", "Ceuta", regexp.MustCompile(`^510\d{2}$`)},
	{"ES", "Melilla", regexp.MustCompile(`^520\d{2}$`)},
	{"DE", "Büsingen am Hochrhein", regexp.MustCompile(`^78266$`)},
	{"DE", "Heligoland", regexp.MustCompile(`^27498$`)},
	{"IT", "Livigno", regexp.MustCompile(`^23041$`)},
	{"IT", "Campione d'Italia", regexp.MustCompile(`^22061$`)},
	{"GR", "Mount Athos", regexp.MustCompile(`^63086$`)},
	{"FR", "Guadeloupe", regexp.MustCompile(`^971\d{2}$`)},
	{"FR", "Martinique", regexp.MustCompile(`^972\d{2}$`)},
	{"FR", "French Guiana", regexp.MustCompile(`^973\d{2}$`)},
	{"FR", "Réunion", regexp.MustCompile(`^974\d{2}$`)},
	{"FR", "Mayotte", regexp.MustCompile(`^976\d{2}$`)},
}

// Outside names the territory outside the EU's VAT area that a postcode of
// country lies in, "" when none.
func Outside(country, postcode string) string {
	country = strings.ToUpper(country)
	pc := strings.ReplaceAll(strings.TrimSpace(postcode), " ", "")
	for _, t := range territories {
		if t.country == country && t.postcode.MatchString(pc) {
			return t.name
		}
	}
	return ""
}

// PostcodeMatters reports whether a postcode can change the tax of country.
func PostcodeMatters(country string) bool {
	country = strings.ToUpper(country)
	for _, t := range territories {
		if t.country == country {
			return true
		}
	}
	return false
}
