// Package checkouts is the one service every surface creates, finds and closes
// checkouts through: the Admin API, the dashboard, Orchestrapay and inTandem
// pass their request, site, mode, source and source reference; the service
// decides the settings that follow from them, validates, stores, and on
// closing cancels what a provider still holds open. It knows nothing of HTTP.
package checkouts

import (
	"context"
	"fmt"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/paylink"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/plaintext"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

// Service creates, finds and closes checkouts.
type Service struct {
	store     *store.Store
	pay       *payment.Service
	maxAmount int64
	now       func() time.Time
}

// DefaultMaxAmount bounds an amount when no maximum is configured.
const DefaultMaxAmount = 99_999_999_999

// New returns the service; maxAmount bounds a checkout's amount (minor units;
// DefaultMaxAmount when not positive) and now is the clock (the store's when
// nil).
func New(s *store.Store, pay *payment.Service, maxAmount int64, now func() time.Time) *Service {
	if now == nil {
		now = store.TimeNow
	}
	if maxAmount <= 0 {
		maxAmount = DefaultMaxAmount
	}
	return &Service{store: s, pay: pay, maxAmount: maxAmount, now: now}
}

// Input is a request for a checkout of a site, as a surface received it.
type Input struct {
	Request *checkout.CreateRequest
	Site    *tenant.Site
	Mode    checkout.Mode
	Source  checkout.Source
	// SourceRef is the surface's own reference, unique per site and source
	// (find-or-create matches on it).
	SourceRef string
	// DefaultExpiry, when set, replaces the site's default lifetime.
	DefaultExpiry time.Duration
	// AllowZero accepts an amount of 0 (Orchestrapay documents >= 0).
	AllowZero bool
}

// CodeAmountUnitsRequired refuses an amount of a currency without two
// decimals on a site that has not said how its callers write amounts.
const CodeAmountUnitsRequired = "amount_units_required"

// Build validates in and returns the open checkout it describes; nothing is
// stored. A *checkout.Error says what is wrong.
func (s *Service) Build(in Input) (*checkout.Checkout, error) {
	req, site := in.Request, in.Site
	// The payment-gateway.app surface reads amounts as the site says: the
	// official plugins send every currency times 100, the documentation
	// says minor units. Until the site says, only currencies where both
	// readings agree are taken.
	if cur, err := money.ParseCurrency(req.Currency); err == nil && in.Source == checkout.SourceAPI &&
		site.AmountUnits == tenant.UnitsUnset && cur.Exponent != 2 {
		return nil, errs.Refused(CodeAmountUnitsRequired, "amount", fmt.Sprintf(
			"%s has %d decimals, so this site's amountUnits setting must say how amounts are written: "+
				"\"minor\" reads amount %s as ISO 4217 minor units (the documented form), "+
				"\"cents\" as hundredths of the major unit whatever the currency (what the official shop plugins send); "+
				"set it in the dashboard's site settings or with `pgw sites update SITE --amount-units minor|cents`",
			cur.Code, cur.Exponent, req.Amount))
	}
	expiry := in.DefaultExpiry
	if expiry == 0 {
		expiry = time.Duration(site.DefaultExpirySeconds) * time.Second
	}
	c, err := checkout.Build(req, checkout.Settings{
		OrganizationID: site.OrganizationID, SiteID: site.ID, Mode: in.Mode, Source: in.Source,
		AmountsInCents: in.Source == checkout.SourceAPI && site.AmountUnits == tenant.UnitsCents,
		DefaultExpiry:  expiry, MaxAmount: s.maxAmount, AllowZero: in.AllowZero,
	}, s.now())
	if err != nil {
		return nil, err
	}
	// IPN v2 carries the reference as it is, in at most 64 bytes.
	if site.IPNVersion == tenant.IPNv2 && (len(c.ExternalReference) > notify.MaxIPNv2Text || !plaintext.Valid(c.ExternalReference)) {
		return nil, errs.Refused(checkout.CodeValidation, "externalReference", fmt.Sprintf(
			"externalReference: at most %d bytes without control characters on this site, whose notifications (IPN version 2) carry it as it is; got %d bytes",
			notify.MaxIPNv2Text, len(c.ExternalReference)))
	}
	c.SourceRef = in.SourceRef
	return c, nil
}

// Create stores a checkout that Build made, once the customer's risk holds
// and disputes allow it (a *risk.Refusal otherwise; a hold may restrict how
// it can be paid). done, when not nil, is the
// idempotency record of the request that asked for it (its answer holds the
// checkout's ids, so it is made after Build), stored in the same transaction.
func (s *Service) Create(ctx context.Context, c *checkout.Checkout, done *store.IdempotencyResult) error {
	if err := s.pay.Screen(ctx, c); err != nil {
		return err
	}
	if err := s.store.CreateCheckout(ctx, c, done); err != nil {
		return fmt.Errorf("storing checkout: %w", err)
	}
	return nil
}

// Screen applies the customer's risk holds and disputes to a checkout that a
// surface stores itself (a *risk.Refusal, or a restriction set on c).
func (s *Service) Screen(ctx context.Context, c *checkout.Checkout) error {
	return s.pay.Screen(ctx, c)
}

// FindOrCreate returns the site's checkout with in's source reference, or
// builds and stores it (created=true). A request that does not validate is
// refused even when a checkout with the reference exists.
func (s *Service) FindOrCreate(ctx context.Context, in Input) (*checkout.Checkout, bool, error) {
	c, err := s.Build(in)
	if err != nil {
		return nil, false, err
	}
	if err := s.pay.Screen(ctx, c); err != nil {
		return nil, false, err
	}
	got, created, err := s.store.FindOrCreateCheckout(ctx, c)
	if err != nil {
		return nil, false, fmt.Errorf("finding or storing checkout: %w", err)
	}
	return got, created, nil
}

// Close expires or cancels an open checkout of the organization, in one
// conditional update with its event: a payment in flight either wins
// (checkout.ErrNotOpen) or loses, and then what a provider still holds open
// for it (a Stripe PaymentIntent) is canceled. Money that arrives all the
// same is recorded and flagged.
func (s *Service) Close(ctx context.Context, orgID, id string, to checkout.Status) (*checkout.Checkout, error) {
	c, err := s.store.CloseCheckout(ctx, orgID, id, to)
	if err != nil {
		return nil, err
	}
	if err := s.pay.CancelOpenIntents(ctx, c.ID); err != nil {
		return c, fmt.Errorf("%w: %v", ErrIntentsLeftOpen, err)
	}
	return c, nil
}

// ErrIntentsLeftOpen says a checkout was closed but canceling its open
// provider payments failed; money that still arrives is recorded and flagged.
var ErrIntentsLeftOpen = errs.New(errs.Internal, "intents_left_open", "the checkout is closed, but its open provider payments could not all be canceled")

// FromLink makes the checkout a customer's choice on a reusable payment link
// asks for, when the link still takes payments (paylink's errors otherwise),
// and stores it.
func (s *Service) FromLink(ctx context.Context, l *paylink.Link, ch paylink.Choice) (*checkout.Checkout, error) {
	now := s.now()
	if err := l.Open(now, 0); err != nil {
		return nil, err
	}
	req, err := l.Request(ch)
	if err != nil {
		return nil, err
	}
	site, err := s.store.GetSite(ctx, l.OrganizationID, l.SiteID)
	if err != nil {
		return nil, fmt.Errorf("loading the link's site: %w", err)
	}
	c, err := s.Build(Input{Request: req, Site: site, Mode: l.Mode, Source: checkout.SourceLink,
		DefaultExpiry: paylink.CheckoutLifetime})
	if err != nil {
		return nil, err
	}
	c.Metadata["paymentLink"] = l.ID
	if err := s.pay.Screen(ctx, c); err != nil {
		return nil, err
	}
	if err := s.store.CreateLinkCheckout(ctx, l, c, now); err != nil {
		return nil, err
	}
	return c, nil
}
