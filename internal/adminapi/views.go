package adminapi

import (
	"context"
	"encoding/json"
	"time"

	"github.com/pgw/pgw/internal/checkout"
)

// checkoutView is a checkout as the Admin API shows it to its merchant.
type checkoutView struct {
	ID                string            `json:"id"`
	SiteID            string            `json:"siteId"`
	Mode              checkout.Mode     `json:"mode"`
	Status            checkout.Status   `json:"status"`
	Amount            int64             `json:"amount"`
	Currency          string            `json:"currency"`
	Email             string            `json:"email,omitempty"`
	ExternalReference string            `json:"externalReference,omitempty"`
	InvoiceNumber     string            `json:"invoiceNumber,omitempty"`
	ClientID          string            `json:"clientId,omitempty"`
	ReturnURL         string            `json:"returnUrl,omitempty"`
	CancelURL         string            `json:"cancelUrl,omitempty"`
	IPNURL            string            `json:"ipnUrl,omitempty"`
	Items             []itemView        `json:"items"`
	BillingAddress    *checkout.Address `json:"billingAddress,omitempty"`
	ShippingAddress   *checkout.Address `json:"shippingAddress,omitempty"`
	Metadata          map[string]string `json:"metadata"`
	Locale            string            `json:"locale,omitempty"`
	Source            checkout.Source   `json:"source"`
	SessionPublicID   string            `json:"sessionPublicId"`
	ShortCode         string            `json:"shortCode"`
	PaymentURL        string            `json:"paymentUrl"`
	ExpiresAt         time.Time         `json:"expiresAt"`
	ClosedAt          *time.Time        `json:"closedAt,omitempty"`
	CreatedAt         time.Time         `json:"createdAt"`
	UpdatedAt         time.Time         `json:"updatedAt"`
	Transactions      []transactionView `json:"transactions"`
	// The tax of its payment, when it was taken under the tax engine.
	*taxTotals
}

type itemView struct {
	Name        string      `json:"name,omitempty"`
	Description string      `json:"description,omitempty"`
	Quantity    int64       `json:"quantity"`
	UnitPrice   int64       `json:"unitPrice"`
	Amount      int64       `json:"amount"`
	VATRate     json.Number `json:"vatRate,omitempty"`
	ItemType    string      `json:"itemType,omitempty"`
	TaxCategory string      `json:"taxCategory,omitempty"`
	AmountType  string      `json:"amountType,omitempty"`
}

type transactionView struct {
	ID         string            `json:"id"`
	Status     checkout.TxStatus `json:"status"`
	StatusCode int               `json:"statusCode"`
	ProviderID string            `json:"providerId"`
	Amount     int64             `json:"amount"`
	Currency   string            `json:"currency"`
	CreatedAt  time.Time         `json:"createdAt"`
	UpdatedAt  time.Time         `json:"updatedAt"`
}

// views returns the view of checkouts of list, whose paymentUrls it looks up
// at once.
func (a *API) views(ctx context.Context, list ...*checkout.Checkout) func(*checkout.Checkout) checkoutView {
	sites := make([]string, len(list))
	for i, c := range list {
		sites[i] = c.SiteID
	}
	bases := a.pages.Bases(ctx, sites...)
	return func(c *checkout.Checkout) checkoutView { return a.view(c, bases(c.SiteID)) }
}

// view is a checkout as the API shows it; its paymentUrl is on base.
func (a *API) view(c *checkout.Checkout, base string) checkoutView {
	v := checkoutView{
		ID: c.ID, SiteID: c.SiteID, Mode: c.Mode, Status: c.Status, Amount: c.Amount, Currency: c.Currency,
		Email: c.Email, ExternalReference: c.ExternalReference, InvoiceNumber: c.InvoiceNumber, ClientID: c.ClientID,
		ReturnURL: c.ReturnURL, CancelURL: c.CancelURL, IPNURL: c.IPNURL,
		BillingAddress: c.BillingAddress, ShippingAddress: c.ShippingAddress, Metadata: c.Metadata,
		Locale: c.Locale, Source: c.Source, SessionPublicID: c.SessionPublicID, ShortCode: c.ShortCode,
		PaymentURL: c.PaymentURL(base), ExpiresAt: c.ExpiresAt, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		Items: make([]itemView, 0, len(c.Items)), Transactions: make([]transactionView, 0, len(c.Transactions)),
	}
	if v.Metadata == nil {
		v.Metadata = map[string]string{}
	}
	if !c.ClosedAt.IsZero() {
		t := c.ClosedAt
		v.ClosedAt = &t
	}
	for _, it := range c.Items {
		v.Items = append(v.Items, itemView{
			Name: it.Name, Description: it.Description, Quantity: it.Quantity, UnitPrice: it.UnitPrice,
			Amount: it.LineTotal(), VATRate: json.Number(it.VATRate), ItemType: it.ItemType, AmountType: it.AmountType, TaxCategory: it.TaxCategory,
		})
	}
	for _, t := range c.Transactions {
		v.Transactions = append(v.Transactions, viewTransaction(&t))
	}
	return v
}

func viewTransaction(t *checkout.Transaction) transactionView {
	return transactionView{ID: t.ID, Status: t.Status, StatusCode: t.Status.Code(), ProviderID: t.ProviderID,
		Amount: t.Amount, Currency: t.Currency, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}
