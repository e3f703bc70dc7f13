// Package paylink is the reusable payment link: a page with fixed items, or
// an amount the customer chooses within bounds, that makes a fresh checkout
// for every customer who uses it, until it is deactivated, runs out of
// payments or ends. It knows nothing of HTTP or SQL.
package paylink

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/plaintext"
)

// Limits of a link.
const (
	MaxItems    = 20
	MaxQuantity = 99
	// CheckoutLifetime is how long a checkout a link made stays open: it holds
	// one of the link's payments while it does.
	CheckoutLifetime = 30 * time.Minute
)

// URL is where a link's customers go: main-frontend's /l/{code} under base,
// where its site's payment pages are.
func URL(base, code string) string { return base + "/l/" + code }

// Link is a reusable payment link of a site.
type Link struct {
	ID             string        `bun:",pk"`
	OrganizationID string        `bun:",notnull"`
	SiteID         string        `bun:",notnull"`
	Mode           checkout.Mode `bun:",notnull"`
	// Code is the link's secret part of its URL (/l/{code}).
	Code     string `bun:",notnull,unique"`
	Name     string `bun:",notnull"`
	Currency string `bun:",notnull"`
	Items    []Item `bun:",type:text,notnull"`
	// CustomMin and CustomMax bound an amount the customer chooses, in minor
	// units; both 0 when the link has items instead.
	CustomMin, CustomMax int64 `bun:",notnull"`
	// MaxPayments limits the payments (0: no limit).
	MaxPayments int       `bun:",notnull"`
	ExpiresAt   time.Time `bun:",nullzero"`
	Active      bool      `bun:",notnull"`
	CreatedBy   string    `bun:",notnull"`
	CreatedAt   time.Time `bun:",notnull"`
	UpdatedAt   time.Time `bun:",notnull"`
}

// Item is a line of a link.
type Item struct {
	Name      string `json:"name"`
	UnitPrice int64  `json:"unitPrice"`
	Quantity  int64  `json:"quantity"`
	// AdjustableQuantity lets the customer choose from 0 to MaxQuantity.
	AdjustableQuantity bool `json:"adjustableQuantity"`
}

// Custom reports whether the customer chooses the amount.
func (l *Link) Custom() bool { return l.CustomMax > 0 }

// Adjustable reports whether the customer chooses any quantity.
func (l *Link) Adjustable() bool {
	for _, it := range l.Items {
		if it.AdjustableQuantity {
			return true
		}
	}
	return false
}

func refused(field, format string, args ...any) error {
	return errs.Refused("validation_error", field, fmt.Sprintf(format, args...))
}

// Check validates a link before it is stored: a name, a known currency,
// either 1 to MaxItems items with prices or a custom amount's bounds, a limit
// that is not negative and an end in the future.
func (l *Link) Check(maxAmount int64, now time.Time) error {
	l.Name = strings.TrimSpace(l.Name)
	if l.Name == "" || len(l.Name) > 200 || !plaintext.Valid(l.Name) {
		return refused("name", "name must be plain text of 1 to 200 bytes")
	}
	cur, err := money.ParseCurrency(l.Currency)
	if err != nil {
		return refused("currency", "currency must be an ISO 4217 code")
	}
	l.Currency = cur.Code
	switch {
	case l.Custom() && len(l.Items) > 0:
		return refused("customAmount", "a link has items or a custom amount, not both")
	case l.Custom():
		if l.CustomMin < 1 || l.CustomMin > l.CustomMax || l.CustomMax > maxAmount {
			return refused("customAmount", "customAmount needs 1 <= min <= max <= %d (minor units)", maxAmount)
		}
	case len(l.Items) == 0 || len(l.Items) > MaxItems:
		return refused("items", "a link has 1 to %d items, or a custom amount", MaxItems)
	}
	for i, it := range l.Items {
		field := "items[" + strconv.Itoa(i) + "]"
		it.Name = strings.TrimSpace(it.Name)
		if it.Name == "" || len(it.Name) > 200 || !plaintext.Valid(it.Name) {
			return refused(field+".name", "%s.name must be plain text of 1 to 200 bytes", field)
		}
		if it.UnitPrice < 1 || it.UnitPrice > maxAmount {
			return refused(field+".unitPrice", "%s.unitPrice must be from 1 to %d (minor units)", field, maxAmount)
		}
		if it.Quantity < 0 || it.Quantity > MaxQuantity || (it.Quantity == 0 && !it.AdjustableQuantity) {
			return refused(field+".quantity", "%s.quantity must be from 1 to %d (0 only when adjustable)", field, MaxQuantity)
		}
		l.Items[i] = it
	}
	if l.MaxPayments < 0 || l.MaxPayments > 1_000_000 {
		return refused("maxPayments", "maxPayments must be from 0 (no limit) to 1000000")
	}
	if !l.ExpiresAt.IsZero() && !l.ExpiresAt.After(now) {
		return refused("expiresAt", "expiresAt must be in the future")
	}
	return nil
}

// Why a link takes no more payments.
var (
	ErrInactive = errs.New(errs.Conflict, "link_inactive", "this payment link was deactivated")
	ErrEnded    = errs.New(errs.Conflict, "link_expired", "this payment link has ended")
	ErrSoldOut  = errs.New(errs.Conflict, "link_sold_out", "this payment link has taken all the payments it may")
)

// Open says whether the link takes a payment at now, given how many of its
// checkouts are paid or still open.
func (l *Link) Open(now time.Time, taken int) error {
	switch {
	case !l.Active:
		return ErrInactive
	case !l.ExpiresAt.IsZero() && !now.Before(l.ExpiresAt):
		return ErrEnded
	case l.MaxPayments > 0 && taken >= l.MaxPayments:
		return ErrSoldOut
	}
	return nil
}

// Choice is what a customer chose on the link's page: a quantity per item
// (for adjustable items) or an amount.
type Choice struct {
	Quantities []int64
	Amount     int64
}

// Request is the checkout a customer's choice makes: the link's items with
// the quantities chosen (lines of quantity 0 left out), or one line of the
// chosen amount.
func (l *Link) Request(ch Choice) (*checkout.CreateRequest, error) {
	req := &checkout.CreateRequest{Currency: l.Currency, ExternalReference: checkout.Text(l.Name),
		ExpiresInMinutes: json.Number(strconv.Itoa(int(CheckoutLifetime / time.Minute)))}
	if l.Custom() {
		if ch.Amount < l.CustomMin || ch.Amount > l.CustomMax {
			return nil, refused("amount", "the amount must be from %d to %d", l.CustomMin, l.CustomMax)
		}
		req.Amount = json.Number(strconv.FormatInt(ch.Amount, 10))
		req.Items = []checkout.ItemRequest{{Name: l.Name, Quantity: "1", UnitPrice: req.Amount}}
		return req, nil
	}
	var total int64
	for i, it := range l.Items {
		qty := it.Quantity
		if it.AdjustableQuantity && i < len(ch.Quantities) {
			qty = ch.Quantities[i]
		}
		if qty < 0 || qty > MaxQuantity {
			return nil, refused("quantity", "quantities must be from 0 to %d", MaxQuantity)
		}
		if qty == 0 {
			continue
		}
		var err error
		if total, err = money.MulAdd(total, qty, it.UnitPrice); err != nil {
			return nil, refused("quantity", "the total is too large")
		}
		req.Items = append(req.Items, checkout.ItemRequest{Name: it.Name, Quantity: json.Number(strconv.FormatInt(qty, 10)),
			UnitPrice: json.Number(strconv.FormatInt(it.UnitPrice, 10))})
	}
	if len(req.Items) == 0 {
		return nil, refused("quantity", "choose at least one item")
	}
	req.Amount = json.Number(strconv.FormatInt(total, 10))
	return req, nil
}
