package money

import "testing"

func TestFormatter(t *testing.T) {
	eur, _ := ParseCurrency("EUR")
	jpy, _ := ParseCurrency("JPY")
	kwd, _ := ParseCurrency("KWD")
	chf, _ := ParseCurrency("CHF")
	tests := []struct {
		tag   string
		minor int64
		c     Currency
		want  string
	}{
		{"en", 123456750, eur, "€1,234,567.50"},
		{"de-DE", 123456750, eur, "1.234.567,50\u00a0€"},
		{"fr", 4900, eur, "49,00\u00a0€"},
		{"nl", 4900, eur, "€\u00a049,00"},
		{"de-CH", 4900, chf, "CHF\u00a049.00"},
		{"", 4900, eur, "€49.00"},
		{"en", 7376, jpy, "¥7,376"},
		{"ja", 7376, jpy, "￥7,376"},
		{"en", 12345, kwd, "KWD\u00a012.345"},
		{"de", 12345, kwd, "12,345\u00a0KWD"},
		{"en", -500, eur, "-€5.00"},
		{"de", -500, eur, "-5,00\u00a0€"},
		{"xx-!!", 5, eur, "€0.05"},
		{"en", 9_007_199_254_740_993, eur, "€90,071,992,547,409.93"}, // beyond float64's integers
	}
	for _, tt := range tests {
		if got := NewFormatter(tt.tag).Format(tt.minor, tt.c); got != tt.want {
			t.Errorf("%s %d %s = %q, want %q", tt.tag, tt.minor, tt.c.Code, got, tt.want)
		}
	}
}
