// Package ids makes random identifiers and secrets from crypto/rand.
package ids

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Token returns n characters drawn uniformly from [0-9A-Za-z]; each carries
// log2(62) ≈ 5.95 bits, so 17 characters exceed 96 bits.
func Token(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic("crypto/rand failed: " + err.Error())
		}
		for _, c := range buf {
			// Rejection sampling: 248 = 4×62, so c%62 is uniform below it.
			if c < 248 && len(out) < n {
				out = append(out, alphabet[c%62])
			}
		}
	}
	return string(out)
}

// New returns a prefixed identifier such as "co_3kTmq8...", 20 random characters
// (119 bits) after the prefix.
func New(prefix string) string { return prefix + "_" + Token(20) }

// Secret returns n random bytes encoded as unpadded URL-safe base64.
func Secret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Public identifier lengths of a checkout: both carry at least 96 bits because
// the hosted URL is a bearer capability.
const (
	ShortCodeLen       = 17 // ≈ 101 bits
	SessionPublicIDLen = 24 // ≈ 143 bits
)

// UUID returns a random version 4 UUID in its canonical text form.
func UUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
