// Package taxes applies the tax engine to checkouts: it reads an
// organization's settings and own rates, confirms a buyer's VAT ID as the
// settings ask (format, or VIES, failing closed), and decides the tax of a
// checkout's lines with the evidence that decided it. It knows nothing of
// HTTP.
package taxes

import (
	"cmp"
	"context"
	"strings"
	"sync"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/limits"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tax"
	"github.com/pgw/pgw/internal/vies"
)

// Service quotes checkouts.
type Service struct {
	store *store.Store
	// table reads the embedded rates once, at the first quote.
	table func() (*tax.Table, error)
	opts  Options
}

// Options of the service.
type Options struct {
	// VIES checks VAT IDs when the settings ask for it.
	VIES *vies.Client
	// Limiter counts quotes per checkout against PerCheckout (each may ask
	// VIES); nil counts nothing.
	Limiter     *limits.Limiter
	PerCheckout limits.Rule
	Now         func() time.Time
}

// New returns the service.
func New(s *store.Store, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = store.TimeNow
	}
	if opts.VIES == nil {
		opts.VIES = &vies.Client{}
	}
	return &Service{store: s, table: sync.OnceValues(tax.Embedded), opts: opts}
}

// Buyer is what a buyer says of themselves on the page or in the API.
type Buyer struct {
	Billing, Shipping *checkout.Address
	VATID             string
}

// VAT ID checks, as evidence.
const (
	CheckNone          = "none"           // no VAT ID given
	CheckTaken         = "taken"          // taken as given (viesCheck none)
	CheckFormatValid   = "format_valid"   // its format is the country's
	CheckFormatInvalid = "format_invalid" // it is not
	CheckValid         = "vies_valid"
	CheckInvalid       = "vies_invalid"
	CheckUnavailable   = "vies_unavailable"
)

// Evidence is what decided a quote.
type Evidence struct {
	BillingCountry  string `json:"billingCountry"`
	ShippingCountry string `json:"shippingCountry,omitempty"`
	// Territory names a part of a member state outside the EU's VAT area
	// that a postcode placed the buyer in.
	Territory string `json:"territory,omitempty"`
	// Company is the business name the buyer gave with a VAT ID.
	Company           string `json:"company,omitempty"`
	VATID             string `json:"vatId,omitempty"`
	VATIDCheck        string `json:"vatIdCheck"`
	RequestIdentifier string `json:"viesRequestIdentifier,omitempty"`
	// Reason explains a VAT ID that was not confirmed, for the buyer.
	Reason string `json:"reason,omitempty"`
}

// Quote is the decision on a checkout's lines and its evidence.
type Quote struct {
	Decision *tax.Decision
	Evidence Evidence
	At       time.Time
}

// ErrDisabled says the organization does not use the tax engine.
var ErrDisabled = errs.New(errs.Conflict, "tax_disabled", "tax is not enabled for this organization: prices are taken as the shop sent them")

// maxVATID bounds a VAT ID as typed.
const maxVATID = 30

// Quote decides the tax of c's lines for buyer now, for a preview: each
// counts against the checkout's limit.
func (s *Service) Quote(ctx context.Context, c *checkout.Checkout, b Buyer) (*Quote, error) {
	return s.quote(ctx, c, b, true)
}

// Decide decides the tax of c's lines for a payment that starts now; the
// payment's own limits apply, not the previews'.
func (s *Service) Decide(ctx context.Context, c *checkout.Checkout, b Buyer) (*Quote, error) {
	return s.quote(ctx, c, b, false)
}

func (s *Service) quote(ctx context.Context, c *checkout.Checkout, b Buyer, limited bool) (*Quote, error) {
	cfg, err := s.store.TaxConfig(ctx, c.OrganizationID)
	if err != nil {
		return nil, err
	}
	if !cfg.Enabled {
		return nil, ErrDisabled
	}
	if limited && s.opts.Limiter != nil {
		if err := s.opts.Limiter.Take(ctx, limits.Key{Bucket: "tax-quote:" + c.ID, Rule: s.opts.PerCheckout}); err != nil {
			return nil, err
		}
	}
	if len(b.VATID) > maxVATID {
		return nil, errs.Refused("validation_error", "vatId", "vatId is longer than 30 characters")
	}
	own, err := s.store.TaxRates(ctx, c.OrganizationID, "")
	if err != nil {
		return nil, err
	}
	table, err := s.table()
	if err != nil {
		return nil, err
	}
	in := tax.Buyer{}
	if b.Billing != nil {
		in.BillingCountry, in.BillingRegion, in.BillingPostcode = b.Billing.Country, b.Billing.State, b.Billing.Postcode
	}
	if b.Shipping != nil {
		in.ShippingCountry, in.ShippingRegion, in.ShippingPostcode = b.Shipping.Country, b.Shipping.State, b.Shipping.Postcode
	}
	q := &Quote{At: s.opts.Now(), Evidence: Evidence{BillingCountry: strings.ToUpper(in.BillingCountry), ShippingCountry: strings.ToUpper(in.ShippingCountry),
		Territory: cmp.Or(tax.Outside(in.BillingCountry, in.BillingPostcode), tax.Outside(in.ShippingCountry, in.ShippingPostcode))}}
	if b.Billing != nil {
		q.Evidence.Company = b.Billing.Company
	}
	in.VATID, in.VATIDConfirmed = s.confirm(ctx, cfg, in.BillingCountry, b.VATID, &q.Evidence)
	items := make([]tax.Item, len(c.Items))
	for i, it := range c.Items {
		items[i] = tax.Item{Amount: it.LineTotal(), Net: it.AmountType == "net", Category: tax.Category(it.TaxCategory), ItemType: it.ItemType}
	}
	if q.Decision, err = tax.Decide(cfg.Settings, in, items, q.At, tax.Chain{own, table}); err != nil {
		return nil, err
	}
	return q, nil
}

// confirm checks a VAT ID as the settings ask and records how.
func (s *Service) confirm(ctx context.Context, cfg tax.Config, country, raw string, ev *Evidence) (string, bool) {
	id := tax.NormalizeVATID(raw)
	ev.VATID = id
	switch {
	case id == "":
		ev.VATIDCheck = CheckNone
		return "", false
	case cfg.VIESCheck == tax.VIESNone:
		ev.VATIDCheck = CheckTaken
		return id, true
	case !tax.ValidVATIDFormat(country, id):
		ev.VATIDCheck, ev.Reason = CheckFormatInvalid, "The VAT ID does not have the format of the billing country's VAT IDs."
		return id, false
	case cfg.VIESCheck == tax.VIESFormat:
		ev.VATIDCheck = CheckFormatValid
		return id, true
	}
	r := s.opts.VIES.Check(ctx, id, cfg.SellerVATID)
	ev.RequestIdentifier = r.RequestIdentifier
	switch r.Status {
	case vies.Valid:
		ev.VATIDCheck = CheckValid
		return id, true
	case vies.Invalid:
		ev.VATIDCheck, ev.Reason = CheckInvalid, "The EU's VIES service does not know this VAT ID, so VAT is charged."
	default:
		ev.VATIDCheck, ev.Reason = CheckUnavailable, "The EU's VIES service could not confirm the VAT ID just now, so VAT is charged."
	}
	return id, false
}
