package plaintext

import "testing"

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, "Ana Ruiz": true, "Zoë · 東京": true, "tab\there": false, "nul\x00": false,
		"del\x7f": false, "c1\u0085": false, "bad\xff": false, "line\nbreak": false,
	} {
		if got := Valid(s); got != want {
			t.Errorf("Valid(%q) = %v, want %v", s, got, want)
		}
	}
}
