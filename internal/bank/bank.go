// Package bank knows the identifiers of a credit transfer: IBANs (ISO 13616),
// BICs (ISO 9362), structured creditor references (ISO 11649 "RF") and the
// EPC QR code that banking apps scan (EPC069-12). It knows nothing of
// checkouts, storage or HTTP.
package bank

import "strings"

// mod97 is the remainder of the number a string of digits and letters reads
// as, letters counting A=10 ... Z=35, as ISO 7064 MOD 97-10 reads it. ok is
// false for any other character.
func mod97(s string) (rem int, ok bool) {
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			rem = (rem*10 + int(r-'0')) % 97
		case r >= 'A' && r <= 'Z':
			rem = (rem*100 + int(r-'A') + 10) % 97
		default:
			return 0, false
		}
	}
	return rem, true
}

// compact drops spaces (of any width) and dashes and upper-cases the rest,
// as identifiers are typed or printed in groups.
func compact(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\u00a0', '\u202f', '-':
			return -1
		}
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// Grouped writes s in groups of four, as IBANs and references are printed.
func Grouped(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
