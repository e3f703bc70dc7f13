package money

import (
	"errors"
	"math"
	"testing"
)

func TestParseCurrency(t *testing.T) {
	tests := []struct {
		in       string
		code     string
		exponent int
		err      error
	}{
		{"EUR", "EUR", 2, nil},
		{"usd", "USD", 2, nil},
		{"JPY", "JPY", 0, nil},
		{"KRW", "KRW", 0, nil},
		{"KWD", "KWD", 3, nil},
		{"BHD", "BHD", 3, nil},
		{"XOF", "XOF", 0, nil},
		{"XXX", "", 0, ErrUnknownCurrency},
		{"XAU", "", 0, ErrUnknownCurrency},
		{"ABC", "", 0, ErrUnknownCurrency},
		{"EURO", "", 0, ErrUnknownCurrency},
		{"", "", 0, ErrUnknownCurrency},
	}
	for _, tt := range tests {
		c, err := ParseCurrency(tt.in)
		if !errors.Is(err, tt.err) {
			t.Errorf("ParseCurrency(%q) error = %v, want %v", tt.in, err, tt.err)
			continue
		}
		if err == nil && (c.Code != tt.code || c.Exponent != tt.exponent) {
			t.Errorf("ParseCurrency(%q) = %+v, want %s/%d", tt.in, c, tt.code, tt.exponent)
		}
	}
}

func TestIntegerFromJSON(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  error
	}{
		{"4900", 4900, nil},
		{"4900.0", 4900, nil},
		{"4.9e3", 4900, nil},
		{"-150", -150, nil},
		{"49.5", 0, ErrNotInteger},
		{"9223372036854775807", math.MaxInt64, nil},
		{"9223372036854775808", 0, ErrOutOfRange},
		{"1e30", 0, ErrOutOfRange},
		{"abc", 0, ErrNotInteger},
	}
	for _, tt := range tests {
		got, err := IntegerFromJSON(tt.in)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("IntegerFromJSON(%q) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestCentsToMinor(t *testing.T) {
	jpy, _ := ParseCurrency("JPY")
	eur, _ := ParseCurrency("EUR")
	kwd, _ := ParseCurrency("KWD")
	tests := []struct {
		cents int64
		c     Currency
		want  int64
		err   error
	}{
		{737600, jpy, 7376, nil},
		{737650, jpy, 0, ErrNotRepresentable},
		{4900, eur, 4900, nil},
		{1234, kwd, 12340, nil},
		{-500, jpy, -5, nil},
		{math.MaxInt64 / 5, kwd, 0, ErrOutOfRange},
	}
	for _, tt := range tests {
		got, err := CentsToMinor(tt.cents, tt.c)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("CentsToMinor(%d, %s) = %d, %v; want %d, %v", tt.cents, tt.c.Code, got, err, tt.want, tt.err)
		}
	}
}

func TestParseDecimalAndFormat(t *testing.T) {
	eur, _ := ParseCurrency("EUR")
	jpy, _ := ParseCurrency("JPY")
	kwd, _ := ParseCurrency("KWD")
	tests := []struct {
		in   string
		c    Currency
		want int64
		err  error
		out  string
	}{
		{"85.0", eur, 8500, nil, "85.00"},
		{"150.00", eur, 15000, nil, "150.00"},
		{"0.1", eur, 10, nil, "0.10"},
		{"7376", jpy, 7376, nil, "7376"},
		{"7376.00", jpy, 7376, nil, "7376"},
		{"7376.5", jpy, 0, ErrNotRepresentable, ""},
		{"12.345", kwd, 12345, nil, "12.345"},
		{"0.005", eur, 0, ErrNotRepresentable, ""},
		{"1e3", eur, 0, ErrNotInteger, ""},
		{"", eur, 0, ErrNotInteger, ""},
	}
	for _, tt := range tests {
		got, err := ParseDecimal(tt.in, tt.c)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("ParseDecimal(%q, %s) = %d, %v; want %d, %v", tt.in, tt.c.Code, got, err, tt.want, tt.err)
			continue
		}
		if err == nil && Format(got, tt.c) != tt.out {
			t.Errorf("Format(%d, %s) = %q, want %q", got, tt.c.Code, Format(got, tt.c), tt.out)
		}
	}
	if got := Format(-5, eur); got != "-0.05" {
		t.Errorf("Format(-5, EUR) = %q", got)
	}
}

func TestMulAdd(t *testing.T) {
	if v, err := MulAdd(10, 3, 4); err != nil || v != 22 {
		t.Fatalf("MulAdd(10,3,4) = %d, %v", v, err)
	}
	if v, err := MulAdd(10, -3, 4); err != nil || v != -2 {
		t.Fatalf("MulAdd(10,-3,4) = %d, %v", v, err)
	}
	if _, err := MulAdd(0, math.MaxInt64/2, 3); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("overflowing product not caught: %v", err)
	}
	if _, err := MulAdd(math.MaxInt64-1, 1, 2); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("overflowing sum not caught: %v", err)
	}
}
