// Package checkout is the one checkout model every API surface lands on: what a
// checkout holds, how it is validated when created, and which state changes
// are allowed. It imports nothing of HTTP or of the database; its struct tags
// only name the columns the store's bun models map, so that the store keeps no
// second copy of each field list.
package checkout

import (
	"net/url"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/errs"
)

// Status is the lifecycle state of a checkout.
type Status string

// Checkout states: open until paid, expired or canceled; the other three are final.
const (
	StatusOpen     Status = "open"
	StatusComplete Status = "complete"
	StatusExpired  Status = "expired"
	StatusCanceled Status = "canceled"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusOpen, StatusComplete, StatusExpired, StatusCanceled:
		return true
	}
	return false
}

// CanBecome reports whether a checkout in state s may move to next. Only an
// open checkout changes state, and it never returns to open.
func (s Status) CanBecome(next Status) bool {
	return s == StatusOpen && next != StatusOpen && next.Valid()
}

// Mode separates test money from real money; it follows the API key.
type Mode string

// Modes.
const (
	ModeTest Mode = "test"
	ModeLive Mode = "live"
)

// Source says which surface created a checkout.
type Source string

// Sources.
const (
	SourceAPI          Source = "api"
	SourceDashboard    Source = "dashboard"
	SourceOrchestrapay Source = "orchestrapay"
	SourceIntandem     Source = "intandem"
	// SourceLink is a reusable payment link's checkout.
	SourceLink Source = "payment_link"
)

// Address is a billing or shipping address. The shop plugins send firstName,
// lastName, address1, address2, city, postcode, country and phone.
type Address struct {
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	Name      string `json:"name,omitempty"`
	Company   string `json:"company,omitempty"`
	Email     string `json:"email,omitempty"`
	Address1  string `json:"address1,omitempty"`
	Address2  string `json:"address2,omitempty"`
	City      string `json:"city,omitempty"`
	State     string `json:"state,omitempty"`
	Postcode  string `json:"postcode,omitempty"`
	Country   string `json:"country,omitempty"`
	Phone     string `json:"phone,omitempty"`
}

// Checkout is one payment session for an amount in one currency.
type Checkout struct {
	ID              string `bun:",pk"`
	OrganizationID  string `bun:",notnull"`
	SiteID          string `bun:",notnull"`
	Mode            Mode   `bun:",notnull"`
	SessionPublicID string `bun:",notnull,unique"`
	ShortCode       string `bun:",notnull,unique"`
	Status          Status `bun:",notnull"`
	Currency        string `bun:",notnull"`
	// Amount is in ISO 4217 minor units of Currency.
	Amount            int64  `bun:",notnull"`
	Email             string `bun:",notnull"`
	ReturnURL         string `bun:",notnull"`
	CancelURL         string `bun:",notnull"`
	IPNURL            string `bun:"ipn_url,notnull"`
	ExternalReference string `bun:",notnull"`
	InvoiceNumber     string `bun:",notnull"`
	ClientID          string `bun:",notnull"`
	// ClientKey is the client the checkout counts for (see ClientKey).
	ClientKey string `bun:",notnull"`
	// PaymentLinkID is the reusable payment link the checkout came from.
	PaymentLinkID   string            `bun:",notnull"`
	BillingAddress  *Address          `bun:",json_use_number"`
	ShippingAddress *Address          `bun:",json_use_number"`
	Metadata        map[string]string `bun:",notnull"`
	Locale          string            `bun:",notnull"`
	// AllowedProviderTypes, space-separated, restricts how the checkout may
	// be paid (a customer risk hold's allow_provider_types); empty for any.
	AllowedProviderTypes string    `bun:",notnull"`
	Source               Source    `bun:",notnull"`
	SourceRef            string    `bun:",notnull"`
	ExpiresAt            time.Time `bun:",notnull"`
	ClosedAt             time.Time `bun:",nullzero"`
	CreatedAt            time.Time `bun:",notnull"`
	UpdatedAt            time.Time `bun:",notnull"`

	Items        []LineItem    `bun:"rel:has-many,join:id=checkout_id"`
	Transactions []Transaction `bun:"rel:has-many,join:id=checkout_id"`
}

// PaymentURL is the checkout's hosted page under base, main-frontend's public
// URL: the paymentUrl of the API, the payment_url of Orchestrapay and the
// dashboard's payment link.
func (c *Checkout) PaymentURL(base string) string {
	return base + "/checkout/" + c.ShortCode
}

// Reference is what the merchant knows the checkout by.
func (c *Checkout) Reference() string {
	if c.ExternalReference != "" {
		return c.ExternalReference
	}
	return c.InvoiceNumber
}

// LineItem is one line of a checkout.
type LineItem struct {
	CheckoutID  string `bun:",pk"`
	Position    int    `bun:",pk"`
	Name        string `bun:",notnull"`
	Description string `bun:",notnull"`
	Quantity    int64  `bun:",notnull"`
	// UnitPrice is in minor units; negative on discount lines.
	UnitPrice int64 `bun:",notnull"`
	// VATRate is a decimal percentage kept as exact text ("19", "7.7"), empty when not given.
	VATRate    string `bun:"vat_rate,notnull"`
	ItemType   string `bun:",notnull"`
	AmountType string `bun:",notnull"`
	// TaxCategory is the item's rate class for the tax engine (standard
	// when empty).
	TaxCategory string `bun:",notnull"`
}

// LineTotal is Quantity × UnitPrice; validation guarantees it does not overflow.
func (i LineItem) LineTotal() int64 { return i.Quantity * i.UnitPrice }

// Label is the text shown for the line: its name, else its description.
func (i LineItem) Label() string {
	if i.Name != "" {
		return i.Name
	}
	return i.Description
}

// Errors of lookups and state changes, mapped to 404 and 409 by the HTTP
// layers. ErrNotFound is the one every layer shares (errs.ErrNotFound).
var (
	ErrNotFound = errs.ErrNotFound
	ErrNotOpen  = errs.New(errs.Conflict, "checkout_not_open", "this checkout is no longer open: it was paid, expired or canceled")
)

// EffectiveStatus is the status a buyer should see at now: an open checkout
// past its expiry is expired even before the sweeper has marked it.
func (c *Checkout) EffectiveStatus(now time.Time) Status {
	if c.Status == StatusOpen && !now.Before(c.ExpiresAt) {
		return StatusExpired
	}
	return c.Status
}

// ReturnURLFor returns the merchant's return URL with the {transactionId}
// placeholder replaced, or "" when there is none.
func (c *Checkout) ReturnURLFor(txID string) string {
	return strings.ReplaceAll(c.ReturnURL, "{transactionId}", url.QueryEscape(txID))
}

// CancelURLFor returns the merchant's cancel URL with the placeholder replaced
// by txID, which may be empty.
func (c *Checkout) CancelURLFor(txID string) string {
	return strings.ReplaceAll(c.CancelURL, "{transactionId}", url.QueryEscape(txID))
}
