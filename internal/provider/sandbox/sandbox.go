// Package sandbox is the built-in test provider: a card form whose outcome is
// decided by the card number, for test-mode checkouts only. No money moves.
package sandbox

import (
	"context"
	"time"

	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/provider"
)

// Test card numbers.
const (
	CardSuccess           = "4242424242424242"
	CardDeclined          = "4000000000000002"
	CardInsufficientFunds = "4000000000009995"
)

// Sandbox decides charges by card number.
type Sandbox struct {
	Now func() time.Time
}

// ChargeCard succeeds for 4242 4242 4242 4242 and declines everything else
// with a reason the buyer can act on.
func (s Sandbox) ChargeCard(_ context.Context, _ int64, _ string, card provider.Card) (provider.ChargeResult, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	switch {
	case !card.LuhnValid():
		return provider.ChargeResult{Code: "incorrect_number", Message: "Your card number is incorrect. Check it and try again."}, nil
	case card.Expired(now()):
		return provider.ChargeResult{Code: "expired_card", Message: "Your card has expired. Use another card."}, nil
	case card.Number() == CardSuccess:
		return provider.ChargeResult{Succeeded: true, Ref: "sbx_" + ids.Token(20)}, nil
	case card.Number() == CardInsufficientFunds:
		return provider.ChargeResult{Code: "insufficient_funds", Message: "Your card has insufficient funds. Use another card."}, nil
	case card.Number() == CardDeclined:
		return provider.ChargeResult{Code: "card_declined", Message: "Your card was declined. Use another card."}, nil
	}
	return provider.ChargeResult{Code: "card_declined",
		Message: "This card was declined: this is a test checkout, pay with the test card 4242 4242 4242 4242."}, nil
}
