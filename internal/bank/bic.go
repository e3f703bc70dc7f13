package bank

import (
	"errors"
	"regexp"
)

// ErrBIC is a BIC that is not 8 or 11 characters of the ISO 9362 shape.
var ErrBIC = errors.New("a BIC is 8 or 11 characters: 4 letters for the bank, 2 for the country, 2 letters or digits for the place, and an optional 3 for the branch")

// bicShape is ISO 9362: bank (4 letters), country (2 letters), location (2
// letters or digits), optional branch (3 letters or digits).
var bicShape = regexp.MustCompile(`^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$`)

// ParseBIC checks a BIC's shape and returns it upper case without spaces.
func ParseBIC(s string) (string, error) {
	s = compact(s)
	if !bicShape.MatchString(s) {
		return "", ErrBIC
	}
	return s, nil
}
