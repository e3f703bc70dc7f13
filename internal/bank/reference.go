package bank

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
)

// Errors of ParseReference.
var (
	ErrReferenceShape    = errors.New("a creditor reference is RF, two check digits and 1 to 21 letters or digits")
	ErrReferenceChecksum = errors.New("the reference's check digits do not match")
)

// Reference is an ISO 11649 structured creditor reference ("RF18 5390 0754
// 7034"), in its electronic form.
type Reference string

// maxReferenceBody is the longest part after RF and the check digits.
const maxReferenceBody = 21

// NewReference makes a reference around body (letters and digits, at most
// 21): RF and the check digits that make it valid.
func NewReference(body string) (Reference, error) {
	body = compact(body)
	if body == "" || len(body) > maxReferenceBody {
		return "", ErrReferenceShape
	}
	rem, ok := mod97(body + "RF00")
	if !ok {
		return "", ErrReferenceShape
	}
	return Reference(fmt.Sprintf("RF%02d%s", 98-rem, body)), nil
}

// referenceAlphabet has no letters that read like digits (I, O), so a
// reference survives being read aloud or typed from paper.
const referenceAlphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// RandomReference makes a reference with a random body of n characters
// (at most 21).
func RandomReference(n int) Reference {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	for i := range b {
		b[i] = referenceAlphabet[int(b[i])%len(referenceAlphabet)]
	}
	r, err := NewReference(string(b))
	if err != nil {
		panic(err) // n out of range is a programming error
	}
	return r
}

// ParseReference reads a reference as typed (spaces ignored, any case) and
// checks its check digits.
func ParseReference(s string) (Reference, error) {
	s = compact(s)
	if len(s) < 5 || len(s) > 4+maxReferenceBody || !strings.HasPrefix(s, "RF") || s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9' {
		return "", ErrReferenceShape
	}
	rem, ok := mod97(s[4:] + s[:4])
	if !ok {
		return "", ErrReferenceShape
	}
	if rem != 1 {
		return "", ErrReferenceChecksum
	}
	return Reference(s), nil
}

// Grouped is the reference in groups of four, its printed form.
func (r Reference) Grouped() string { return Grouped(string(r)) }

// FindReferences returns every valid creditor reference that text may hold,
// with case, spaces and dashes ignored: remittance lines often run the
// reference into the next word ("RF18 5390 0754 7034 order 12"), so each
// "RF" followed by two digits is tried at every length whose check digits
// hold. The caller keeps the ones it issued.
func FindReferences(text string) []Reference {
	s := compact(text)
	var out []Reference
	seen := map[Reference]bool{}
	for i := 0; i+4 < len(s); i++ {
		if s[i] != 'R' || s[i+1] != 'F' || s[i+2] < '0' || s[i+2] > '9' || s[i+3] < '0' || s[i+3] > '9' {
			continue
		}
		for n := 1; n <= maxReferenceBody && i+4+n <= len(s); n++ {
			if r, err := ParseReference(s[i : i+4+n]); err == nil && !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}
