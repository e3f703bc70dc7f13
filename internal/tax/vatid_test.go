package tax

import "testing"

func TestVATIDFormat(t *testing.T) {
	for _, tc := range []struct {
		country, id string
		ok          bool
	}{
		{"DE", "DE123456789", true}, {"DE", "de 123 456 789", true}, {"DE", "DE12345678", false},
		{"FR", "FR40303265045", true}, {"FR", "FRIO303265045", false},
		{"AT", "ATU12345678", true}, {"AT", "AT12345678", false},
		{"GR", "EL123456789", true}, {"GR", "GR123456789", false},
		{"NL", "NL123456789B01", true}, {"NL", "NL123456789", false},
		{"IE", "IE1234567T", true}, {"IE", "IE1234567WA", true},
		{"ES", "ESX1234567X", true}, {"BE", "BE0123456789", true}, {"BE", "BE2123456789", false},
		{"SE", "SE123456789001", true}, {"GB", "GB123456789", true}, {"CH", "CHE-123.456.789 MWST", true},
		{"NO", "NO123456789MVA", true}, {"US", "US123", false}, {"DE", "FR40303265045", false},
	} {
		if got := ValidVATIDFormat(tc.country, tc.id); got != tc.ok {
			t.Errorf("%s %q: %v, want %v", tc.country, tc.id, got, tc.ok)
		}
	}
}
