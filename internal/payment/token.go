package payment

import (
	"context"
	"fmt"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/provider"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

// CheckSandboxCard checks a card for a token: the sandbox decides now what a
// charge with it will do, so the number itself need not be kept.
func (s *Service) CheckSandboxCard(ctx context.Context, number string, month, year int, cvc, name string) (provider.Card, provider.ChargeResult, error) {
	card, err := provider.ParseCard(number, month, year, cvc, name)
	if err != nil {
		return card, provider.ChargeResult{}, err
	}
	res, err := s.sandbox.ChargeCard(ctx, 0, "", card)
	return card, res, err
}

// CheckedCard is a card checked earlier and charged now without the buyer: a
// Stripe PaymentMethod to confirm, or the outcome the sandbox gave the card
// when it was checked. Key identifies the check, so that charging it again
// finds the first attempt.
type CheckedCard struct {
	Key            string
	ProviderID     string
	PaymentMethod  string
	CardBrand      string
	CardLast4      string
	OutcomeCode    string
	OutcomeMessage string
}

// ChargeToken charges a checkout with a checked card: every charge is an
// attempt on our model. A Stripe card's PaymentMethod is confirmed now; a
// sandbox card has its outcome already.
func (s *Service) ChargeToken(ctx context.Context, c *checkout.Checkout, tok CheckedCard) (*Result, error) {
	p, err := s.store.GetProvider(ctx, tok.ProviderID)
	if err != nil {
		return nil, err
	}
	t := s.now()
	tx, created, err := s.store.CreateTransaction(ctx, c, &checkout.Transaction{
		ID: ids.New("txn"), CheckoutID: c.ID, OrganizationID: c.OrganizationID, SiteID: c.SiteID, ProviderID: p.ID,
		Status: checkout.TxInitiated, Amount: c.Amount, Currency: c.Currency, AttemptKey: "token:" + tok.Key,
		CardBrand: tok.CardBrand, CardLast4: tok.CardLast4, CreatedAt: t, UpdatedAt: t,
	})
	if err != nil {
		return nil, err
	}
	if !created {
		return s.resultOf(c, tx), nil
	}
	charge := store.Charge{CardBrand: tok.CardBrand, CardLast4: tok.CardLast4}
	outcome := provider.ChargeResult{Succeeded: tok.OutcomeCode == "", Code: tok.OutcomeCode, Message: tok.OutcomeMessage}
	if p.Type == tenant.ProviderStripe {
		client, _, err := s.stripeClient(p)
		if err != nil {
			return nil, err
		}
		pi, err := client.ChargePaymentMethod(ctx, tx.ID, c.ID, c.SiteID, c.Amount, c.Currency, tok.PaymentMethod)
		switch {
		case err != nil:
			outcome = provider.ChargeResult{Code: "card_declined", Message: "The card was declined by the payment provider."}
		case pi.Status == "succeeded":
			outcome = provider.ChargeResult{Succeeded: true, Ref: pi.ID}
			if err := s.store.SetProviderRef(ctx, tx.ID, pi.ID); err != nil {
				return nil, err
			}
		default:
			outcome = provider.ChargeResult{Code: "requires_action", Message: fmt.Sprintf("The card needs the cardholder (%s); charge it from a checkout instead.", pi.Status)}
			if err := s.store.SetProviderRef(ctx, tx.ID, pi.ID); err != nil {
				return nil, err
			}
		}
		charge.ProviderRef = outcome.Ref
	}
	if outcome.Succeeded {
		if _, err := s.store.CompletePayment(ctx, c, tx.ID, charge); err != nil {
			return nil, err
		}
	} else if err := s.store.FailTransaction(ctx, c, tx.ID, outcome.Code, outcome.Message, charge); err != nil {
		return nil, err
	}
	if tx, err = s.store.GetTransactionUnscoped(ctx, tx.ID); err != nil {
		return nil, err
	}
	return s.resultOf(c, tx), nil
}
