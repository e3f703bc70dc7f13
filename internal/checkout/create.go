package checkout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/tax"
)

// Limits of a create request.
const (
	MaxItems            = 100
	MaxQuantity         = 10_000
	MinExpiry           = 5 * time.Minute
	MaxExpiry           = 90 * 24 * time.Hour
	MaxMetadataKeys     = 50
	MaxMetadataKeyLen   = 40
	MaxMetadataValueLen = 500
	maxNameLen          = 200
	maxDescriptionLen   = 1000
	maxReferenceLen     = 200
	maxURLLen           = 2048
	maxAddressFieldLen  = 200
	maxItemTypeLen      = 40
)

// Error is a request the model refuses: an errs.Error of kind Invalid, whose
// Code is stable for clients to match on, Field names the offending input and
// Message is for people.
type Error = errs.Error

// Error codes.
const (
	CodeValidation     = "validation_error"
	CodeAmountMismatch = "amount_mismatch"
)

func invalid(field, format string, args ...any) *Error {
	return errs.Refused(CodeValidation, field, field+": "+fmt.Sprintf(format, args...))
}

// Text is a string field that also accepts a JSON number, since shop systems
// often hold order numbers as integers.
type Text string

// UnmarshalJSON accepts a string, a number or null.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*t = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(s)
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*t = Text(b)
	default:
		return errors.New("must be a string")
	}
	return nil
}

// CreateRequest is the body of POST /api/v1/checkouts/{siteId}/create, as sent by
// payment-gateway.app clients and the official shop plugins, with our additions
// (metadata, locale, expiresAt, expiresInMinutes). Unknown fields are ignored.
type CreateRequest struct {
	Amount            json.Number    `json:"amount"`
	Currency          string         `json:"currency"`
	Email             string         `json:"email"`
	ReturnURL         string         `json:"returnUrl"`
	CancelURL         string         `json:"cancelUrl"`
	IPNURL            string         `json:"ipnUrl"`
	ExternalReference Text           `json:"externalReference"`
	InvoiceNumber     Text           `json:"invoiceNumber"`
	ClientID          Text           `json:"clientId"`
	Items             []ItemRequest  `json:"items"`
	BillingAddress    *Address       `json:"billingAddress"`
	ShippingAddress   *Address       `json:"shippingAddress"`
	Metadata          map[string]any `json:"metadata"`
	Locale            string         `json:"locale"`
	ExpiresAt         string         `json:"expiresAt"`
	ExpiresInMinutes  json.Number    `json:"expiresInMinutes"`
}

// ItemRequest is one entry of CreateRequest.Items.
type ItemRequest struct {
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Quantity    json.Number `json:"quantity"`
	UnitPrice   json.Number `json:"unitPrice"`
	VATRate     json.Number `json:"vatRate"`
	ItemType    string      `json:"itemType"`
	AmountType  string      `json:"amountType"`
	TaxCategory string      `json:"taxCategory"`
}

// Settings are what the site and the caller decide about a new checkout.
type Settings struct {
	OrganizationID string
	SiteID         string
	Mode           Mode
	Source         Source
	// AmountsInCents converts amounts from hundredths of the major unit.
	AmountsInCents bool
	DefaultExpiry  time.Duration
	MaxAmount      int64
	// AllowZero accepts an amount of 0 (the Orchestrapay surface documents >= 0).
	AllowZero bool
}

// Build validates a create request and returns the open checkout it describes,
// with fresh identifiers. Nothing is stored.
func Build(req *CreateRequest, s Settings, now time.Time) (*Checkout, error) {
	cur, err := money.ParseCurrency(req.Currency)
	if err != nil {
		if req.Currency == "" {
			return nil, invalid("currency", "is required")
		}
		return nil, invalid("currency", "%q is not a known ISO 4217 currency code", req.Currency)
	}
	toMinor := func(field string, n json.Number) (int64, error) {
		v, err := money.IntegerFromJSON(n.String())
		if err != nil {
			return 0, invalid(field, "must be a whole number of minor units, got %s", n.String())
		}
		if !s.AmountsInCents {
			return v, nil
		}
		minor, err := money.CentsToMinor(v, cur)
		if err != nil {
			return 0, invalid(field, "%d hundredths of %s is not a whole number of %s minor units (this site takes amounts in cents)", v, cur.Code, cur.Code)
		}
		return minor, nil
	}

	if req.Amount == "" {
		return nil, invalid("amount", "is required")
	}
	amount, err := toMinor("amount", req.Amount)
	if err != nil {
		return nil, err
	}
	if amount < 0 || amount == 0 && !s.AllowZero {
		return nil, invalid("amount", "must be positive")
	}
	if amount > s.MaxAmount {
		return nil, invalid("amount", "exceeds the maximum of %s %s", money.Format(s.MaxAmount, cur), cur.Code)
	}

	c := &Checkout{
		ID:                ids.New("co"),
		OrganizationID:    s.OrganizationID,
		SiteID:            s.SiteID,
		Mode:              s.Mode,
		SessionPublicID:   ids.Token(ids.SessionPublicIDLen),
		ShortCode:         ids.Token(ids.ShortCodeLen),
		Status:            StatusOpen,
		Currency:          cur.Code,
		Amount:            amount,
		Email:             strings.TrimSpace(req.Email),
		ExternalReference: strings.TrimSpace(string(req.ExternalReference)),
		InvoiceNumber:     strings.TrimSpace(string(req.InvoiceNumber)),
		ClientID:          strings.TrimSpace(string(req.ClientID)),
		Metadata:          map[string]string{},
		Source:            s.Source,
		CreatedAt:         now,
		UpdatedAt:         now,
	}

	if c.ExternalReference == "" && c.InvoiceNumber == "" {
		return nil, invalid("externalReference", "externalReference or invoiceNumber is required")
	}
	for _, f := range []struct{ name, v string }{
		{"externalReference", c.ExternalReference},
		{"invoiceNumber", c.InvoiceNumber},
		{"clientId", c.ClientID},
	} {
		if err := checkText(f.name, f.v, maxReferenceLen); err != nil {
			return nil, err
		}
	}
	if c.Email != "" {
		if err := checkEmail("email", c.Email); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		name string
		in   string
		out  *string
	}{
		{"returnUrl", req.ReturnURL, &c.ReturnURL},
		{"cancelUrl", req.CancelURL, &c.CancelURL},
		{"ipnUrl", req.IPNURL, &c.IPNURL},
	} {
		u := strings.TrimSpace(f.in)
		if u == "" {
			continue
		}
		if err := CheckURL(f.name, u); err != nil {
			return nil, err
		}
		*f.out = u
	}
	if c.BillingAddress, err = checkAddress("billingAddress", req.BillingAddress); err != nil {
		return nil, err
	}
	if c.ShippingAddress, err = checkAddress("shippingAddress", req.ShippingAddress); err != nil {
		return nil, err
	}
	if c.Metadata, err = checkMetadata(req.Metadata); err != nil {
		return nil, err
	}
	if req.Locale != "" {
		tag, err := language.Parse(req.Locale)
		if err != nil || len(req.Locale) > 35 {
			return nil, invalid("locale", "%q is not a BCP 47 language tag", req.Locale)
		}
		c.Locale = tag.String()
	}
	if c.ExpiresAt, err = expiry(req, s.DefaultExpiry, now); err != nil {
		return nil, err
	}

	if len(req.Items) > MaxItems {
		return nil, invalid("items", "at most %d items, got %d", MaxItems, len(req.Items))
	}
	var sum int64
	for i, in := range req.Items {
		field := fmt.Sprintf("items[%d]", i)
		it := LineItem{
			CheckoutID:  c.ID,
			Position:    i,
			Name:        strings.TrimSpace(in.Name),
			Description: strings.TrimSpace(in.Description),
			ItemType:    strings.TrimSpace(in.ItemType),
			AmountType:  strings.ToLower(strings.TrimSpace(in.AmountType)),
			TaxCategory: strings.ToLower(strings.TrimSpace(in.TaxCategory)),
		}
		if it.Name == "" && it.Description == "" {
			return nil, invalid(field+".name", "an item needs a name or a description")
		}
		if err := checkText(field+".name", it.Name, maxNameLen); err != nil {
			return nil, err
		}
		if err := checkText(field+".description", it.Description, maxDescriptionLen); err != nil {
			return nil, err
		}
		if err := checkText(field+".itemType", it.ItemType, maxItemTypeLen); err != nil {
			return nil, err
		}
		if it.AmountType != "" && it.AmountType != "gross" && it.AmountType != "net" {
			return nil, invalid(field+".amountType", "must be gross or net, got %q", in.AmountType)
		}
		if !tax.ValidCategory(tax.Category(it.TaxCategory)) {
			return nil, invalid(field+".taxCategory", "must be standard, reduced, super_reduced, zero or exempt, got %q", in.TaxCategory)
		}
		if in.Quantity == "" {
			it.Quantity = 1
		} else if it.Quantity, err = money.IntegerFromJSON(in.Quantity.String()); err != nil || it.Quantity < 1 || it.Quantity > MaxQuantity {
			return nil, invalid(field+".quantity", "must be a whole number from 1 to %d, got %s", MaxQuantity, in.Quantity.String())
		}
		if in.UnitPrice == "" {
			return nil, invalid(field+".unitPrice", "is required")
		}
		if it.UnitPrice, err = toMinor(field+".unitPrice", in.UnitPrice); err != nil {
			return nil, err
		}
		if in.VATRate != "" {
			if it.VATRate, err = checkRate(field+".vatRate", in.VATRate.String()); err != nil {
				return nil, err
			}
		}
		if sum, err = money.MulAdd(sum, it.Quantity, it.UnitPrice); err != nil || it.UnitPrice > s.MaxAmount || it.UnitPrice < -s.MaxAmount {
			return nil, invalid(field+".unitPrice", "is out of range")
		}
		c.Items = append(c.Items, it)
	}
	if len(c.Items) > 0 && sum != amount {
		return nil, errs.Refused(CodeAmountMismatch, "items",
			fmt.Sprintf("sum of item amounts (%d) does not match total amount (%d)", sum, amount))
	}
	if len(c.Items) == 0 {
		c.Items = []LineItem{{CheckoutID: c.ID, Name: c.Reference(), Quantity: 1, UnitPrice: amount}}
	}
	return c, nil
}
