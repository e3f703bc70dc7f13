// Package provider is what moves money: the card a buyer typed, the outcome
// of a charge, and the implementations (sandbox now; Stripe and wire later).
package provider

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
)

// Card is what a buyer typed into a card form. It lives only for the request:
// it is never stored or logged; Brand and Last4 are all that is kept.
type Card struct {
	number   string
	ExpMonth int
	ExpYear  int
	cvc      string
	Name     string
}

// Brand of the card, from its number's prefix.
func (c Card) Brand() string {
	n := c.number
	p2, _ := strconv.Atoi(n[:2])
	p4, _ := strconv.Atoi(n[:4])
	switch {
	case n[0] == '4':
		return "visa"
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return "mastercard"
	case p2 == 34 || p2 == 37:
		return "amex"
	case p4 == 6011 || p2 == 65:
		return "discover"
	}
	return "card"
}

// Last4 is the last four digits of the number.
func (c Card) Last4() string { return c.number[len(c.number)-4:] }

// Number returns the digits; only a provider may ask.
func (c Card) Number() string { return c.number }

// CVC returns the security code; only a provider may ask.
func (c Card) CVC() string { return c.cvc }

// LuhnValid reports whether the number passes the Luhn check.
func (c Card) LuhnValid() bool {
	sum := 0
	for i := range len(c.number) {
		d := int(c.number[len(c.number)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// Expired reports whether the card's expiry month is before now's month.
func (c Card) Expired(now time.Time) bool {
	return c.ExpYear < now.Year() || c.ExpYear == now.Year() && c.ExpMonth < int(now.Month())
}

// String never shows the number or the code, so a card that reaches a log
// by mistake shows only what may be kept.
func (c Card) String() string { return c.Brand() + " ending " + c.Last4() }

// GoString is String, for %#v.
func (c Card) GoString() string { return c.String() }

func invalid(field, msg string) *checkout.Error {
	return errs.Refused(checkout.CodeValidation, field, msg)
}

// ParseCard checks the shape of what was typed: 12 to 19 digits (spaces and
// dashes allowed), a month and year, a 3-digit code (4 for American Express)
// and a name. Whether the card pays is the provider's business. The error is
// the first of CardProblems.
func ParseCard(number string, expMonth, expYear int, cvc, name string) (Card, error) {
	c, problems := parseCard(number, expMonth, expYear, cvc, name)
	if len(problems) > 0 {
		return Card{}, problems[0]
	}
	return c, nil
}

// CardProblems are all that is wrong with what was typed, a field each, in
// the form's order, so that a page shows every error at once.
func CardProblems(number string, expMonth, expYear int, cvc, name string) []*checkout.Error {
	_, problems := parseCard(number, expMonth, expYear, cvc, name)
	return problems
}

func parseCard(number string, expMonth, expYear int, cvc, name string) (Card, []*checkout.Error) {
	var problems []*checkout.Error
	digits := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, number)
	if len(digits) < 12 || len(digits) > 19 || strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		problems = append(problems, invalid("card.number", "Enter the card number: 12 to 19 digits."))
		digits = ""
	}
	c := Card{number: digits, ExpMonth: expMonth, ExpYear: expYear, Name: strings.TrimSpace(name)}
	if expYear >= 0 && expYear < 100 {
		c.ExpYear = 2000 + expYear
	}
	if c.ExpMonth < 1 || c.ExpMonth > 12 || c.ExpYear < 2000 || c.ExpYear > 2100 {
		problems = append(problems, invalid("card.expiry", "Enter the expiry date as MM / YY."))
	}
	c.cvc = strings.TrimSpace(cvc)
	want := 3
	if digits != "" && c.Brand() == "amex" {
		want = 4
	}
	if len(c.cvc) != want || strings.IndexFunc(c.cvc, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		problems = append(problems, invalid("card.cvc", "Enter the "+strconv.Itoa(want)+"-digit security code."))
	}
	if c.Name == "" || len(c.Name) > 100 || strings.IndexFunc(c.Name, unicode.IsControl) >= 0 {
		problems = append(problems, invalid("card.name", "Enter the name on the card."))
	}
	return c, problems
}

// ParseExpiry reads "MM/YY", "MM / YY", "MM/YYYY", "MM-YY", and digits alone
// as a phone keypad types them ("1234", "12 34", "122034"); it returns zeros
// for anything else, which ParseCard refuses.
func ParseExpiry(s string) (month, year int) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\t' {
			return -1
		}
		return r
	}, s)
	m, y, ok := strings.Cut(s, "/")
	if !ok {
		m, y, ok = strings.Cut(s, "-")
	}
	if !ok {
		// Digits only, as typed on a phone keypad: MMYY or MMYYYY.
		switch len(s) {
		case 4:
			m, y = s[:2], s[2:]
		case 6:
			m, y = s[:2], s[2:]
		default:
			return 0, 0
		}
	}
	if len(m) < 1 || len(m) > 2 || (len(y) != 2 && len(y) != 4) || !allDigits(m) || !allDigits(y) {
		return 0, 0
	}
	month, _ = strconv.Atoi(m)
	year, _ = strconv.Atoi(y)
	return month, year
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// ChargeResult is what a provider says about a charge.
type ChargeResult struct {
	Succeeded bool
	// Code and Message explain a decline, for the buyer.
	Code    string
	Message string
	// Ref is the provider's id of the charge.
	Ref string
}

// CardCharger charges a card synchronously.
type CardCharger interface {
	ChargeCard(ctx context.Context, amount int64, currency string, card Card) (ChargeResult, error)
}
