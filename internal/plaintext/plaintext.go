// Package plaintext says whether a string is text a person typed on one line:
// valid UTF-8 without control characters. Reasons, names and emails are held
// to it before they are stored or shown.
package plaintext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Valid reports whether s is UTF-8 without control characters.
func Valid(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}
