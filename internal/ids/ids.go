// Package ids makes random identifiers and secrets from crypto/rand.
package ids

import (
	"crypto/rand"
	"encoding/base64"
	"math/big"
)

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Token returns n characters drawn uniformly from [0-9A-Za-z]; each carries
// log2(62) ≈ 5.95 bits, so 17 characters exceed 96 bits.
func Token(n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("crypto/rand failed: " + err.Error())
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
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
