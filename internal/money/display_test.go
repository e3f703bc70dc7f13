package money

import "testing"

func TestFormatter(t *testing.T) {
	eur, _ := ParseCurrency("EUR")
	jpy, _ := ParseCurrency("JPY")
	kwd, _ := ParseCurrency("KWD")
	tests := []struct {
		tag   string
		minor int64
		c     Currency
		want  string
	}{
		{"en", 123456750, eur, "€\u00a01,234,567.50"},
		{"de-DE", 123456750, eur, "€\u00a01.234.567,50"},
		{"", 4900, eur, "€\u00a049.00"},
		{"en", 7376, jpy, "¥\u00a07,376"},
		{"ja", 7376, jpy, "￥\u00a07,376"},
		{"en", 12345, kwd, "KWD\u00a012.345"},
		{"de", 12345, kwd, "KWD\u00a012,345"},
		{"en", -500, eur, "-€\u00a05.00"},
		{"xx-!!", 5, eur, "€\u00a00.05"},
		{"en", 9_007_199_254_740_993, eur, "€\u00a090,071,992,547,409.93"}, // beyond float64's integers
	}
	for _, tt := range tests {
		if got := NewFormatter(tt.tag).Format(tt.minor, tt.c); got != tt.want {
			t.Errorf("%s %d %s = %q, want %q", tt.tag, tt.minor, tt.c.Code, got, tt.want)
		}
	}
}
