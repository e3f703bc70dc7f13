package stripe

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
)

// Client talks to Stripe for one account. It has no global state: each client
// has its own key and backend, so accounts and the test API base never mix.
type Client struct {
	api *client.API
}

// New returns a client for the account; apiBase overrides Stripe's API URL
// (stripe-mock in tests), empty for Stripe itself.
func New(cfg Config, apiBase string, log *slog.Logger) *Client {
	bc := &stripego.BackendConfig{
		HTTPClient:        &http.Client{Timeout: 30 * time.Second},
		LeveledLogger:     slogLogger{log},
		MaxNetworkRetries: stripego.Int64(2),
	}
	if apiBase != "" {
		bc.URL = stripego.String(strings.TrimRight(apiBase, "/"))
	}
	backends := &stripego.Backends{
		API:     stripego.GetBackendWithConfig(stripego.APIBackend, bc),
		Connect: stripego.GetBackendWithConfig(stripego.ConnectBackend, bc),
		Uploads: stripego.GetBackendWithConfig(stripego.UploadsBackend, bc),
	}
	return &Client{api: client.New(cfg.SecretKey, backends)}
}

// Intent is a created PaymentIntent. ClientSecret goes to the buyer's page and
// is never stored.
type Intent struct {
	ID           string
	ClientSecret string
	Status       string
}

// CreatePaymentIntent creates the PaymentIntent of one of our transactions.
// The idempotency key is derived from the transaction id, so a retried call
// never makes a second PaymentIntent.
func (c *Client) CreatePaymentIntent(ctx context.Context, txID, checkoutID, siteID string, amount int64, currency string) (Intent, error) {
	p := &stripego.PaymentIntentParams{
		Amount:                  stripego.Int64(amount),
		Currency:                stripego.String(strings.ToLower(currency)),
		AutomaticPaymentMethods: &stripego.PaymentIntentAutomaticPaymentMethodsParams{Enabled: stripego.Bool(true)},
	}
	pi, err := c.newIntent(ctx, p, txID, checkoutID, siteID)
	if err != nil {
		return Intent{}, fmt.Errorf("creating PaymentIntent: %w", err)
	}
	return Intent{ID: pi.ID, ClientSecret: pi.ClientSecret, Status: string(pi.Status)}, nil
}

// newIntent creates a PaymentIntent for our transaction txID: the idempotency
// key is derived from it and the metadata names it, its checkout and site.
func (c *Client) newIntent(ctx context.Context, p *stripego.PaymentIntentParams, txID, checkoutID, siteID string) (*stripego.PaymentIntent, error) {
	p.Context = ctx
	p.SetIdempotencyKey("pgw-pi-" + txID)
	p.AddMetadata("pgw_transaction_id", txID)
	p.AddMetadata("pgw_checkout_id", checkoutID)
	p.AddMetadata("pgw_site_id", siteID)
	return c.api.PaymentIntents.New(p)
}

// PaymentIntent reads a PaymentIntent, for its client secret and status.
func (c *Client) PaymentIntent(ctx context.Context, id string) (Intent, error) {
	p := &stripego.PaymentIntentParams{}
	p.Context = ctx
	pi, err := c.api.PaymentIntents.Get(id, p)
	if err != nil {
		return Intent{}, fmt.Errorf("reading PaymentIntent: %w", err)
	}
	return Intent{ID: pi.ID, ClientSecret: pi.ClientSecret, Status: string(pi.Status)}, nil
}

// CancelPaymentIntent cancels a PaymentIntent that can no longer be paid.
func (c *Client) CancelPaymentIntent(ctx context.Context, id, txID string) error {
	p := &stripego.PaymentIntentCancelParams{CancellationReason: stripego.String("abandoned")}
	p.Context = ctx
	p.SetIdempotencyKey("pgw-cancel-" + txID)
	if _, err := c.api.PaymentIntents.Cancel(id, p); err != nil {
		return fmt.Errorf("canceling PaymentIntent: %w", err)
	}
	return nil
}

// Refund refunds amount of a PaymentIntent; the idempotency key comes from our
// refund id.
func (c *Client) Refund(ctx context.Context, paymentIntent string, amount int64, refundID string) (string, error) {
	p := &stripego.RefundParams{PaymentIntent: stripego.String(paymentIntent), Amount: stripego.Int64(amount)}
	p.Context = ctx
	p.SetIdempotencyKey("pgw-refund-" + refundID)
	p.AddMetadata("pgw_refund_id", refundID)
	r, err := c.api.Refunds.New(p)
	if err != nil {
		return "", fmt.Errorf("creating refund: %w", err)
	}
	return r.ID, nil
}

// slogLogger sends stripe-go's messages to slog at debug level (errors at warn).
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Debugf(format string, v ...any) { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l slogLogger) Infof(format string, v ...any)  { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l slogLogger) Warnf(format string, v ...any)  { l.log.Warn(fmt.Sprintf(format, v...)) }
func (l slogLogger) Errorf(format string, v ...any) { l.log.Warn(fmt.Sprintf(format, v...)) }

// ChargePaymentMethod creates and confirms, in one call, a PaymentIntent that
// charges a PaymentMethod the buyer's card form created (the back-office
// charge); the idempotency key is derived from our transaction id.
func (c *Client) ChargePaymentMethod(ctx context.Context, txID, checkoutID, siteID string, amount int64, currency, paymentMethod string) (Intent, error) {
	p := &stripego.PaymentIntentParams{
		Amount:        stripego.Int64(amount),
		Currency:      stripego.String(strings.ToLower(currency)),
		PaymentMethod: stripego.String(paymentMethod),
		Confirm:       stripego.Bool(true),
		AutomaticPaymentMethods: &stripego.PaymentIntentAutomaticPaymentMethodsParams{
			Enabled: stripego.Bool(true), AllowRedirects: stripego.String("never"),
		},
	}
	pi, err := c.newIntent(ctx, p, txID, checkoutID, siteID)
	if err != nil {
		return Intent{}, fmt.Errorf("charging PaymentMethod: %w", err)
	}
	return Intent{ID: pi.ID, Status: string(pi.Status)}, nil
}
