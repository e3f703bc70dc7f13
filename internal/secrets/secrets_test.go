package secrets

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i)
	}
	b, err := NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed := b.Seal("whsec_abc", "site_1")
	if strings.Contains(sealed, "whsec_abc") {
		t.Fatal("plaintext visible in ciphertext")
	}
	if got, err := b.Open(sealed, "site_1"); err != nil || got != "whsec_abc" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open(sealed, "site_2"); err == nil {
		t.Fatal("opened under another context")
	}
	if b.Seal("x", "c") == b.Seal("x", "c") {
		t.Fatal("nonce reused")
	}
	other, _ := NewBox(make([]byte, 32))
	if _, err := other.Open(sealed, "site_1"); err == nil {
		t.Fatal("opened under another key")
	}
}

func TestParseKey(t *testing.T) {
	key := make([]byte, 32)
	for _, s := range []string{base64.StdEncoding.EncodeToString(key), base64.RawURLEncoding.EncodeToString(key)} {
		if k, err := ParseKey(s); err != nil || len(k) != 32 {
			t.Fatalf("ParseKey(%q) = %v", s, err)
		}
	}
	if _, err := ParseKey(base64.StdEncoding.EncodeToString(make([]byte, 16))); err == nil {
		t.Fatal("short key accepted")
	}
	if _, err := ParseKey("not base64 !!"); err == nil {
		t.Fatal("garbage accepted")
	}
}

func TestDerive(t *testing.T) {
	a, _ := NewBox(make([]byte, 32))
	key := make([]byte, 32)
	key[0] = 1
	b, _ := NewBox(key)
	if got := a.Derive("l", "m"); len(got) != 32 || string(got) != string(a.Derive("l", "m")) {
		t.Fatalf("Derive is not a stable 32-byte value: %x", got)
	}
	for name, other := range map[string][]byte{
		"another key": b.Derive("l", "m"), "another label": a.Derive("k", "m"), "another message": a.Derive("l", "n"),
		"label and message moved": a.Derive("lm", ""),
	} {
		if string(other) == string(a.Derive("l", "m")) {
			t.Errorf("%s derives the same value", name)
		}
	}
}
