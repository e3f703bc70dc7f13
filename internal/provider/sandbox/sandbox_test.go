package sandbox

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/provider"
)

func TestChargeCard(t *testing.T) {
	now := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	s := Sandbox{Now: func() time.Time { return now }}
	tests := []struct {
		number      string
		month, year int
		ok          bool
		code        string
	}{
		{"4242 4242 4242 4242", 12, 30, true, ""},
		{"4000 0000 0000 0002", 12, 30, false, "card_declined"},
		{"4000-0000-0000-9995", 12, 2030, false, "insufficient_funds"},
		{"4242 4242 4242 4241", 12, 30, false, "incorrect_number"},
		{"5555 5555 5555 4444", 12, 30, false, "card_declined"},
		{"4242 4242 4242 4242", 10, 26, false, "expired_card"},
		{"4242 4242 4242 4242", 11, 26, true, ""},
	}
	for _, tt := range tests {
		card, err := provider.ParseCard(tt.number, tt.month, tt.year, "123", "Ana Ruiz")
		if err != nil {
			t.Fatalf("%s: %v", tt.number, err)
		}
		r, err := s.ChargeCard(context.Background(), 100, "EUR", card)
		if err != nil || r.Succeeded != tt.ok || r.Code != tt.code {
			t.Errorf("%s %d/%d: %+v %v", tt.number, tt.month, tt.year, r, err)
		}
		if !r.Succeeded && r.Message == "" {
			t.Errorf("%s: decline without a message", tt.number)
		}
	}
}

func TestParseCard(t *testing.T) {
	for _, tt := range []struct {
		number, cvc, name string
		month, year       int
		field             string
	}{
		{"4242", "123", "A", 12, 30, "card.number"},
		{"4242 4242 4242 424x", "123", "A", 12, 30, "card.number"},
		{"4242424242424242", "123", "A", 13, 30, "card.expiry"},
		{"4242424242424242", "123", "A", 0, 0, "card.expiry"},
		{"4242424242424242", "12", "A", 12, 30, "card.cvc"},
		{"378282246310005", "123", "A", 12, 30, "card.cvc"},
		{"4242424242424242", "123", " ", 12, 30, "card.name"},
	} {
		_, err := provider.ParseCard(tt.number, tt.month, tt.year, tt.cvc, tt.name)
		e, ok := err.(interface{ Error() string })
		if !ok || fmt.Sprintf("%+v", err) == "" {
			t.Fatalf("%+v accepted", tt)
		}
		if got := fieldOf(err); got != tt.field {
			t.Errorf("%+v: field %q (%v)", tt, got, e)
		}
	}
	card, err := provider.ParseCard("3782 822463 10005", 1, 2031, "1234", "Amex")
	if err != nil || card.Brand() != "amex" || card.Last4() != "0005" {
		t.Fatalf("amex: %v %v", card, err)
	}
	// A card printed by mistake shows neither its number nor its code.
	card, _ = provider.ParseCard("4242424242424242", 1, 31, "987", "Ana")
	for _, s := range []string{fmt.Sprint(card), fmt.Sprintf("%v %+v %#v %s", card, card, card, card)} {
		if contains(s, "4242424242424242") || contains(s, "987") {
			t.Fatalf("card leaks in %q", s)
		}
	}
}

// Phone keypads have no "/": digits alone are read as MMYY or MMYYYY.
func TestParseExpiry(t *testing.T) {
	for in, want := range map[string][2]int{
		"07 / 29": {7, 29}, "07/29": {7, 29}, "7/29": {7, 29}, "07/2029": {7, 2029}, "07-29": {7, 29},
		"1234": {12, 34}, "12 34": {12, 34}, "122034": {12, 2034}, " 0729 ": {7, 29}, "12\u00a034": {12, 34},
		"": {0, 0}, "123": {0, 0}, "12345": {0, 0}, "1234567": {0, 0}, "ab/cd": {0, 0}, "12/345": {0, 0},
		"+1/+29": {0, 0}, "1e3/29": {0, 0}, "/": {0, 0}, "12/": {0, 0},
	} {
		if m, y := provider.ParseExpiry(in); m != want[0] || y != want[1] {
			t.Errorf("ParseExpiry(%q) = %d %d, want %v", in, m, y, want)
		}
	}
}
