// Package secrets encrypts values at rest (provider credentials, signing secrets)
// with AES-256-GCM under the configured master key.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

const prefix = "v1:"

// Box seals and opens values under one 256-bit key, and derives keyed values
// (MACs) from it under a second key of its own.
type Box struct {
	aead   cipher.AEAD
	macKey []byte
}

// ParseKey decodes a master key given as standard or URL-safe base64 (padded or
// not) and checks that it is 32 bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != 32 {
				return nil, fmt.Errorf("master key is %d bytes, want 32", len(k))
			}
			return k, nil
		}
	}
	return nil, errors.New("master key is not base64")
}

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("master key is %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("creating cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("creating GCM: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("pgw derived values"))
	return &Box{aead: aead, macKey: mac.Sum(nil)}, nil
}

// Derive returns HMAC-SHA256 of msg under a key of the Box's own, separated
// by label: the same inputs always give the same 32 bytes, which cannot be
// guessed without the master key.
func (b *Box) Derive(label, msg string) []byte {
	mac := hmac.New(sha256.New, b.macKey)
	mac.Write([]byte(label))
	mac.Write([]byte{0})
	mac.Write([]byte(msg))
	return mac.Sum(nil)
}

// Seal encrypts plaintext; context is authenticated but not stored (for example
// the row id), so a ciphertext copied to another row does not open.
func (b *Box) Seal(plaintext, context string) string {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	out := b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(context))
	return prefix + base64.RawStdEncoding.EncodeToString(out)
}

// Open decrypts what Seal produced with the same context.
func (b *Box) Open(sealed, context string) (string, error) {
	raw, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", errors.New("unknown ciphertext format")
	}
	data, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil || len(data) < b.aead.NonceSize() {
		return "", errors.New("malformed ciphertext")
	}
	n := b.aead.NonceSize()
	pt, err := b.aead.Open(nil, data[:n], data[n:], []byte(context))
	if err != nil {
		return "", errors.New("ciphertext does not open under this key and context")
	}
	return string(pt), nil
}
