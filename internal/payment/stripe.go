package payment

import (
	"context"
	"errors"
	"fmt"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/dispute"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/provider/stripe"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

// Errors of provider payments.
var (
	// ErrProvider means the provider could not be reached or refused the call.
	ErrProvider = errs.New(errs.Upstream, "provider_error", "the payment provider refused or could not be reached; nothing was changed")
	// ErrForeignIntent is a webhook about a payment that is not this provider's.
	ErrForeignIntent = errs.New(errs.BadRequest, "foreign_payment_intent", "the event concerns no payment of this provider")
)

// Intent is a payment the buyer confirms with the provider's own form on our
// page (Stripe's Payment Element).
type Intent struct {
	Transaction    *checkout.Transaction
	ClientSecret   string // for the buyer's page only; never stored
	PublishableKey string
}

func (s *Service) stripeClient(p *tenant.Provider) (*stripe.Client, stripe.Config, error) {
	cfg, err := stripe.ParseConfig(p.Config)
	if err != nil {
		return nil, cfg, err
	}
	return stripe.New(cfg, s.opts.StripeAPIBase, s.opts.Log), cfg, nil
}

// StartIntent starts a Stripe payment for an open checkout: it records the
// attempt and creates its PaymentIntent (idempotent on the attempt), and
// returns what the page needs to mount the Payment Element. The same attempt
// key returns the same PaymentIntent.
func (s *Service) StartIntent(ctx context.Context, c *checkout.Checkout, providerID, attemptKey string, buyer TaxBuyer) (*Intent, error) {
	if c.EffectiveStatus(s.now()) != checkout.StatusOpen {
		return nil, fmt.Errorf("paying checkout %s: %w", c.ID, checkout.ErrNotOpen)
	}
	methods, err := s.Methods(ctx, c)
	if err != nil {
		return nil, err
	}
	var ok bool
	for _, m := range methods {
		ok = ok || m.ID == providerID && m.Type == tenant.ProviderStripe
	}
	if !ok {
		return nil, ErrNoSuchMethod
	}
	if err := s.noTransferPending(ctx, c); err != nil {
		return nil, err
	}
	if err := s.screenPayer(ctx, c, "", tenant.ProviderStripe); err != nil {
		return nil, err
	}
	p, err := s.store.GetProvider(ctx, providerID)
	if err != nil {
		return nil, err
	}
	client, cfg, err := s.stripeClient(p)
	if err != nil {
		return nil, err
	}
	// With the tax engine the intent is for the decision's total, frozen
	// with the attempt (the checkout's billing details decide).
	amount, frozen, err := s.taxed(ctx, c, buyer.Billing, buyer.VATID)
	if err != nil {
		return nil, err
	}
	t := s.now()
	tx, created, err := s.store.CreateTaxedTransaction(ctx, c, &checkout.Transaction{
		ID: ids.New("txn"), CheckoutID: c.ID, OrganizationID: c.OrganizationID, SiteID: c.SiteID, ProviderID: p.ID,
		Status: checkout.TxInitiated, Amount: amount, Currency: c.Currency, AttemptKey: attemptKey, CreatedAt: t, UpdatedAt: t,
	}, frozen)
	if err != nil {
		return nil, err
	}
	if !created && tx.Final() {
		return &Intent{Transaction: tx, PublishableKey: cfg.PublishableKey}, nil
	}
	// Created now, or a replay of an attempt still pending: the idempotency key
	// derived from the transaction makes Stripe answer with the same intent.
	pi, err := client.CreatePaymentIntent(ctx, tx.ID, c.ID, c.SiteID, tx.Amount, c.Currency)
	if err != nil {
		s.opts.Log.Warn("creating PaymentIntent", "err", err, "transaction", tx.ID)
		if created {
			if ferr := s.store.FailTransaction(ctx, c, tx.ID, "provider_error", "The payment provider could not be reached.", store.Charge{}); ferr != nil {
				return nil, ferr
			}
		}
		return nil, fmt.Errorf("%w: %v", ErrProvider, err)
	}
	if tx.ProviderRef == "" {
		if err := s.store.SetProviderRef(ctx, tx.ID, pi.ID); err != nil {
			return nil, err
		}
		tx.ProviderRef = pi.ID
	}
	return &Intent{Transaction: tx, ClientSecret: pi.ClientSecret, PublishableKey: cfg.PublishableKey}, nil
}

// ApplyStripeWebhook verifies a webhook with the provider's signing secret and
// applies it once. ErrForeignIntent means the event names a PaymentIntent this
// provider did not create for us; a bad signature is a plain error.
func (s *Service) ApplyStripeWebhook(ctx context.Context, providerID string, payload []byte, signature string) error {
	p, err := s.store.GetProvider(ctx, providerID)
	if err != nil {
		return err
	}
	if p.Type != tenant.ProviderStripe {
		return fmt.Errorf("provider %s: %w", providerID, errs.ErrNotFound)
	}
	cfg, err := stripe.ParseConfig(p.Config)
	if err != nil {
		return err
	}
	ev, err := stripe.VerifyEvent(payload, signature, cfg.WebhookSecret)
	if err != nil {
		return err
	}
	kind := map[string]store.EventKind{
		"payment_intent.succeeded":      store.EventSucceeded,
		"payment_intent.payment_failed": store.EventFailed,
		"payment_intent.canceled":       store.EventCanceled,
		"charge.refunded":               store.EventRefunded,
		"charge.dispute.created":        store.EventDispute,
		"charge.dispute.updated":        store.EventDispute,
		"charge.dispute.closed":         store.EventDispute,
	}[ev.Type]
	if kind == store.EventOther {
		return nil // acknowledged, not ours to act on
	}
	tx, err := s.store.FindTransactionByRef(ctx, p.ID, ev.PaymentIntent)
	if errors.Is(err, errs.ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrForeignIntent, ev.PaymentIntent)
	}
	if err != nil {
		return err
	}
	c, err := s.store.GetCheckoutByIDUnscoped(ctx, tx.CheckoutID)
	if err != nil {
		return err
	}
	applied, err := s.store.ApplyProviderEvent(ctx, c, tx.ID, store.ProviderEvent{
		ProviderID: p.ID, EventID: ev.ID, Type: ev.Type, Kind: kind, FailureMessage: ev.FailureMessage,
		AmountRefunded: ev.AmountRefunded, Dispute: store.DisputeChange{ProviderDisputeID: ev.Dispute.ID,
			Status: stripeDisputeStatus[ev.Dispute.Status], Amount: ev.Dispute.Amount, Reason: ev.Dispute.Reason,
			AutoHold: s.opts.DisputeHold},
	})
	if err != nil {
		return err
	}
	if applied && kind == store.EventSucceeded {
		if got, err := s.store.GetTransactionUnscoped(ctx, tx.ID); err == nil && got.Flag == checkout.FlagPaidAfterClose {
			s.opts.Log.Warn("money arrived for a checkout that was no longer open; flagged for the operator",
				"transaction", tx.ID, "checkout", c.ID, "amount", tx.Amount, "currency", tx.Currency)
		}
	}
	return nil
}

// stripeDisputeStatus is ours for each of Stripe's dispute states: Stripe
// says lost also when the merchant accepted.
var stripeDisputeStatus = map[string]dispute.Status{
	"warning_needs_response": dispute.Open, "needs_response": dispute.Open,
	"warning_under_review": dispute.UnderReview, "under_review": dispute.UnderReview,
	"warning_closed": dispute.Won, "won": dispute.Won, "lost": dispute.Lost,
}

// CancelOpenIntents cancels the pending attempts of a checkout that can no
// longer be paid, with their providers (Stripe PaymentIntents are canceled).
// Money that still arrives is recorded and flagged, never lost.
func (s *Service) CancelOpenIntents(ctx context.Context, checkoutID string) error {
	pending, err := s.store.PendingTransactions(ctx, checkoutID)
	if err != nil || len(pending) == 0 {
		return err
	}
	c, err := s.store.GetCheckoutByIDUnscoped(ctx, checkoutID)
	if err != nil {
		return err
	}
	var errList []error
	for _, tx := range pending {
		if err := s.cancelAttempt(ctx, c, tx); err != nil {
			errList = append(errList, err)
		}
	}
	return errors.Join(errList...)
}

// cancelAttempt cancels one pending attempt, with its provider first
// (a Stripe PaymentIntent is canceled), then here.
func (s *Service) cancelAttempt(ctx context.Context, c *checkout.Checkout, tx *checkout.Transaction) error {
	p, err := s.store.GetProvider(ctx, tx.ProviderID)
	if err != nil {
		return err
	}
	if p.Type == tenant.ProviderStripe && tx.ProviderRef != "" {
		client, _, err := s.stripeClient(p)
		if err == nil {
			err = client.CancelPaymentIntent(ctx, tx.ProviderRef, tx.ID)
		}
		if err != nil {
			return err
		}
	}
	if err := s.store.CancelTransaction(ctx, c, tx.ID); err != nil && !errors.Is(err, store.ErrTransactionFinal) {
		return err
	}
	return nil
}

// Refund gives back amount (everything left when 0) of a succeeded attempt
// through its provider. Refunds add up, never beyond what was captured.
func (s *Service) Refund(ctx context.Context, orgID, txID string, amount int64) (*store.Refund, error) {
	tx, err := s.store.GetTransaction(ctx, orgID, txID)
	if err != nil {
		return nil, err
	}
	if amount == 0 {
		amount = tx.Amount - tx.RefundedAmount
	}
	if amount <= 0 {
		return nil, store.ErrRefundTooMuch
	}
	r, err := s.store.ReserveRefund(ctx, orgID, txID, amount)
	if err != nil {
		return nil, err
	}
	c, err := s.store.GetCheckoutByIDUnscoped(ctx, tx.CheckoutID)
	if err != nil {
		return nil, err
	}
	p, err := s.store.GetProvider(ctx, tx.ProviderID)
	if err != nil {
		return nil, err
	}
	ref := "sbx_refund_" + r.ID
	if p.Type == tenant.ProviderWire {
		ref = "wire_refund_" + r.ID // sent back by the merchant's bank, recorded here
	}
	if p.Type == tenant.ProviderStripe {
		client, _, err := s.stripeClient(p)
		if err == nil {
			ref, err = client.Refund(ctx, tx.ProviderRef, amount, r.ID)
		}
		if err != nil {
			if ferr := s.store.FailRefund(ctx, r, err.Error()); ferr != nil {
				return nil, ferr
			}
			return nil, fmt.Errorf("%w: %v", ErrProvider, err)
		}
	}
	if err := s.store.CompleteRefund(ctx, c, r, ref); err != nil {
		return nil, err
	}
	r.Status, r.ProviderRef = store.RefundSucceeded, ref
	return r, nil
}

// maxPageIntents bounds the open attempts a checkout's page starts.
const maxPageIntents = 10

var errTooManyIntents = errs.New(errs.TooMany, "too_many_attempts", "too many payment attempts are open for this checkout")

// PageIntent returns the PaymentIntent the hosted page mounts for a Stripe
// provider: the checkout's pending one for the same buyer details, so
// reloading the page makes no new intent, or a new one (at most
// maxPageIntents open per checkout).
func (s *Service) PageIntent(ctx context.Context, c *checkout.Checkout, providerID string, buyer TaxBuyer) (*Intent, error) {
	pending, err := s.store.PendingTransactions(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for i := len(pending) - 1; i >= 0; i-- {
		tx := pending[i]
		if tx.ProviderID != providerID || tx.ProviderRef == "" {
			continue
		}
		// Under the tax engine an intent is for one buyer's details: another
		// country or VAT ID is another amount, and another intent.
		if same, err := s.sameTaxBuyer(ctx, tx.ID, buyer); err != nil || !same {
			if err != nil {
				return nil, err
			}
			continue
		}
		p, err := s.store.GetProvider(ctx, providerID)
		if err != nil {
			return nil, err
		}
		client, cfg, err := s.stripeClient(p)
		if err != nil {
			return nil, err
		}
		pi, err := client.PaymentIntent(ctx, tx.ProviderRef)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrProvider, err)
		}
		return &Intent{Transaction: tx, ClientSecret: pi.ClientSecret, PublishableKey: cfg.PublishableKey}, nil
	}
	// Each country or VAT ID the page is shown with may start an intent: a
	// checkout holds a bounded number open.
	if len(pending) >= maxPageIntents {
		return nil, errTooManyIntents
	}
	return s.StartIntent(ctx, c, providerID, "page-"+ids.Token(16), buyer)
}
