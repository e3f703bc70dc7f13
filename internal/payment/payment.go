// Package payment takes a buyer's payment for a checkout: it offers the site's
// payment methods, records each attempt, asks the provider, and completes the
// checkout in one transaction with its events. The hosted page and the
// runtime API both call it; neither ever sets an amount.
package payment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/limits"
	"github.com/pgw/pgw/internal/provider"
	"github.com/pgw/pgw/internal/provider/sandbox"
	"github.com/pgw/pgw/internal/provider/stripe"
	"github.com/pgw/pgw/internal/provider/wire"
	"github.com/pgw/pgw/internal/risk"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/taxes"
	"github.com/pgw/pgw/internal/tenant"
)

// Service takes payments.
type Service struct {
	store   *store.Store
	sandbox provider.CardCharger
	now     func() time.Time
	opts    Options
}

// Options configure the providers.
type Options struct {
	// StripeAPIBase overrides Stripe's API URL (stripe-mock in tests).
	StripeAPIBase string
	Log           *slog.Logger
	// Limiter counts payment attempts against AttemptLimits; nil counts nothing.
	Limiter       *limits.Limiter
	AttemptLimits AttemptLimits
	// DisputeHold is the customer risk hold a lost or accepted dispute
	// creates; empty for none.
	DisputeHold risk.Action
	// Taxes decides the tax of an attempt when the organization enabled
	// it; nil charges checkouts as they are.
	Taxes *taxes.Service
}

// New returns a Service over s.
func New(s *store.Store, opts ...Options) *Service {
	svc := &Service{store: s, sandbox: sandbox.Sandbox{}, now: store.TimeNow}
	if len(opts) > 0 {
		svc.opts = opts[0]
	}
	if svc.opts.Log == nil {
		svc.opts.Log = slog.New(slog.DiscardHandler)
	}
	return svc
}

// Method is a way to pay offered to the buyer.
type Method struct {
	ID   string              `json:"id"`
	Type tenant.ProviderType `json:"type"`
	Name string              `json:"name"`
}

// Methods returns the payment methods a checkout offers: the site's enabled
// providers that serve its mode. The sandbox serves test checkouts only.
func (s *Service) Methods(ctx context.Context, c *checkout.Checkout) ([]Method, error) {
	provs, err := s.store.ListProviders(ctx, c.OrganizationID, c.SiteID)
	if err != nil {
		return nil, err
	}
	var out []Method
	for _, p := range provs {
		if !p.Enabled || !allowedType(c, p.Type) {
			continue
		}
		if mode, ok := ModeOf(p); !ok || mode != c.Mode {
			continue
		}
		if p.Type == tenant.ProviderWire {
			// A bank account takes the currencies it was set up for.
			if cfg, err := wire.ParseConfig(p.Config); err != nil || !cfg.Serves(c.Currency) {
				continue
			}
		}
		out = append(out, Method{ID: p.ID, Type: p.Type, Name: p.Name})
	}
	return out, nil
}

// ModeOf is the mode of the checkouts a provider serves: test for the
// sandbox, its keys' for Stripe (test keys serve test checkouts, live keys
// live ones), its account's for a bank transfer. ok is false when the
// configuration cannot be read or the type is unknown.
func ModeOf(p *tenant.Provider) (checkout.Mode, bool) {
	switch p.Type {
	case tenant.ProviderSandbox:
		return checkout.ModeTest, true
	case tenant.ProviderWire:
		cfg, err := wire.ParseConfig(p.Config)
		return cfg.Mode, err == nil
	case tenant.ProviderStripe:
		cfg, err := stripe.ParseConfig(p.Config)
		if err != nil {
			return "", false
		}
		m, err := cfg.Mode()
		return m, err == nil
	}
	return "", false
}

// Attempt is one submission of a payment form.
type Attempt struct {
	ProviderID string
	// AttemptKey makes a replayed submission find its first attempt.
	AttemptKey string
	CardNumber string
	ExpMonth   int
	ExpYear    int
	CVC        string
	CardName   string
	Billing    *checkout.Address
	// VATID is the buyer's VAT ID, for the tax engine.
	VATID string
	// ClientAddr is the buyer's address, for the attempt limits.
	ClientAddr string
}

// Outcome of an attempt.
type Outcome string

// Outcomes.
const (
	Paid     Outcome = "paid"
	Declined Outcome = "declined"
	// AlreadyClosed: another payment, the expiry or a cancel came first.
	AlreadyClosed Outcome = "already_closed"
	// Pending: a replayed submission whose first attempt is still running.
	Pending Outcome = "pending"
)

// Result of an attempt.
type Result struct {
	Outcome     Outcome
	Transaction *checkout.Transaction
	// RedirectURL is where the buyer goes after a payment: the merchant's
	// return URL with the transaction id, or "" for our own receipt.
	RedirectURL string
	// Message explains a decline to the buyer.
	Message string
}

// Errors of Pay besides *checkout.Error (the form is wrong).
var (
	ErrNoSuchMethod = &errs.Error{Kind: errs.Invalid, Code: "payment_method_unavailable", Field: "providerId",
		Message: "this payment method is not available for this checkout"}
)

// Pay runs one attempt on an open checkout. A checkout that is not open gives
// checkout.ErrNotOpen and records nothing. An attempt key seen before returns
// that attempt's result instead of paying again.
func (s *Service) Pay(ctx context.Context, c *checkout.Checkout, a Attempt) (*Result, error) {
	if a.AttemptKey != "" {
		// A replayed submission gets the first answer, whatever happened since.
		prev, err := s.store.FindAttempt(ctx, c.ID, a.AttemptKey)
		if err == nil {
			return s.resultOf(c, prev), nil
		}
		if !errors.Is(err, errs.ErrNotFound) {
			return nil, err
		}
	}
	if c.EffectiveStatus(s.now()) != checkout.StatusOpen {
		return nil, fmt.Errorf("paying checkout %s: %w", c.ID, checkout.ErrNotOpen)
	}
	methods, err := s.Methods(ctx, c)
	if err != nil {
		return nil, err
	}
	var method *Method
	for i := range methods {
		if methods[i].ID == a.ProviderID {
			method = &methods[i]
		}
	}
	if method == nil || method.Type != tenant.ProviderSandbox {
		return nil, ErrNoSuchMethod
	}
	if err := s.noTransferPending(ctx, c); err != nil {
		return nil, err
	}
	var typed string
	if a.Billing != nil {
		typed = a.Billing.Email
	}
	if err := s.screenPayer(ctx, c, typed, method.Type); err != nil {
		return nil, err
	}
	card, err := provider.ParseCard(a.CardNumber, a.ExpMonth, a.ExpYear, a.CVC, a.CardName)
	if err != nil {
		return nil, err
	}
	if err := s.TakeAttempt(ctx, c, a.ClientAddr); err != nil {
		return nil, err
	}
	amount, frozen, err := s.taxed(ctx, c, a.Billing, a.VATID)
	if err != nil {
		return nil, err
	}
	t := s.now()
	tx, created, err := s.store.CreateTaxedTransaction(ctx, c, &checkout.Transaction{
		ID: ids.New("txn"), CheckoutID: c.ID, OrganizationID: c.OrganizationID, SiteID: c.SiteID,
		ProviderID: method.ID, Status: checkout.TxInitiated, Amount: amount, Currency: c.Currency,
		AttemptKey: a.AttemptKey, CardBrand: card.Brand(), CardLast4: card.Last4(), BillingAddress: a.Billing,
		CreatedAt: t, UpdatedAt: t,
	}, frozen)
	if err != nil {
		return nil, err
	}
	if !created {
		return s.resultOf(c, tx), nil
	}

	res, err := s.sandbox.ChargeCard(ctx, tx.Amount, c.Currency, card)
	if err != nil {
		// The provider could not be asked: the attempt fails and the buyer may retry.
		res = provider.ChargeResult{Code: "processing_error", Message: "The payment could not be processed. Please try again."}
	}
	charge := store.Charge{ProviderRef: res.Ref, CardBrand: card.Brand(), CardLast4: card.Last4()}
	if res.Succeeded {
		if _, err := s.store.CompletePayment(ctx, c, tx.ID, charge); err != nil {
			return nil, err
		}
	} else if err := s.store.FailTransaction(ctx, c, tx.ID, res.Code, res.Message, charge); err != nil {
		return nil, err
	}
	if tx, err = s.store.GetTransactionUnscoped(ctx, tx.ID); err != nil {
		return nil, err
	}
	return s.resultOf(c, tx), nil
}

// resultOf describes an attempt as it stands.
func (s *Service) resultOf(c *checkout.Checkout, tx *checkout.Transaction) *Result {
	r := &Result{Transaction: tx, Message: tx.FailureMessage}
	switch {
	case tx.Status == checkout.TxSucceeded:
		r.Outcome, r.RedirectURL = Paid, c.ReturnURLFor(tx.ID)
	case tx.FailureCode == "checkout_not_open":
		r.Outcome = AlreadyClosed
	case tx.Final():
		r.Outcome = Declined
	default:
		r.Outcome = Pending
	}
	return r
}

// Cancel cancels an attempt that is still pending, on behalf of its buyer.
func (s *Service) Cancel(ctx context.Context, txID string) (*checkout.Transaction, error) {
	tx, err := s.store.GetTransactionUnscoped(ctx, txID)
	if err != nil {
		return nil, err
	}
	c, err := s.store.GetCheckoutByIDUnscoped(ctx, tx.CheckoutID)
	if err != nil {
		return nil, err
	}
	if err := s.store.CancelTransaction(ctx, c, tx.ID); err != nil {
		return nil, err
	}
	return s.store.GetTransactionUnscoped(ctx, txID)
}
