package ids

import (
	"regexp"
	"strings"
	"testing"
)

func TestTokenShapeAndUniqueness(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		tok := Token(ShortCodeLen)
		if len(tok) != ShortCodeLen {
			t.Fatalf("length %d", len(tok))
		}
		if strings.Trim(tok, alphabet) != "" {
			t.Fatalf("token %q has characters outside the alphabet", tok)
		}
		if seen[tok] {
			t.Fatalf("duplicate token %q", tok)
		}
		seen[tok] = true
	}
	if id := New("co"); !strings.HasPrefix(id, "co_") || len(id) != 23 {
		t.Fatalf("New(co) = %q", id)
	}
	if s := Secret(32); len(s) != 43 {
		t.Fatalf("Secret(32) has length %d", len(s))
	}
}

func TestTokenUniform(t *testing.T) {
	counts := map[rune]int{}
	const draws = 62 * 2000
	for range draws / 62 {
		for _, c := range Token(62) {
			counts[c]++
		}
	}
	if len(counts) != 62 {
		t.Fatalf("%d distinct characters", len(counts))
	}
	for c, n := range counts {
		// Expected 2000 each; a biased alphabet would be far off.
		if n < 1700 || n > 2300 {
			t.Fatalf("character %q drawn %d times of %d", c, n, draws)
		}
	}
}

func TestUUID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := UUID(), UUID()
	if !re.MatchString(a) || a == b {
		t.Fatalf("UUIDs %s %s", a, b)
	}
}
