// Package intandem is inTandem's payment-app contract, all of it: the routes
// main-frontend serves under /intandem (App), the client of inTandem's API
// (reading a checkout, reporting a connection, whose token it is), the
// checkout update queued in the payment's transaction (Install) and its
// delivery (Sink).
package intandem

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/money"
)

// Client calls inTandem's API for one business.
type Client struct {
	base  string
	token string
	http  *http.Client
}

// APIError is an answer of inTandem that is not a success.
type APIError struct {
	Status int
	Code   string // the error of the envelope: Already_paid, no_content, Unauthorized...
}

func (e *APIError) Error() string { return fmt.Sprintf("inTandem answered %d %s", e.Status, e.Code) }

// ErrUnreachable means inTandem could not be reached.
var ErrUnreachable = errors.New("inTandem could not be reached")

// do sends a request and reads the {"status":"OK","data":...} envelope. Any
// 2xx is a success (inTandem answers 201 even to GET).
func (c *Client) do(ctx context.Context, method, path string, body, data any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.base, "/")+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var env struct {
		Status  string          `json:"status"`
		Data    json.RawMessage `json:"data"`
		Error   string          `json:"error"`
		Message string          `json:"message"`
		Errors  []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	json.Unmarshal(raw, &env) //nolint:errcheck // a body that is not JSON is judged by its status
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		code := env.Error
		if code == "" {
			code = env.Message
		}
		if code == "" && len(env.Errors) > 0 {
			code = env.Errors[0].Code
		}
		return &APIError{Status: resp.StatusCode, Code: code}
	}
	if data != nil && len(env.Data) > 0 {
		if err := json.Unmarshal(env.Data, data); err != nil {
			return fmt.Errorf("reading inTandem's answer: %w", err)
		}
	}
	return nil
}

// Amount is a decimal amount in major units that inTandem sends as a string
// ("85.0") or a number (20); it is kept as text and parsed exactly.
type Amount string

// UnmarshalJSON accepts a string or a number.
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = Amount(strings.TrimSpace(s))
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("amount must be a number or a decimal string")
	}
	*a = Amount(n.String())
	return nil
}

// Minor converts the amount into minor units of currency, exactly.
func (a Amount) Minor(currency string) (int64, money.Currency, error) {
	cur, err := money.ParseCurrency(currency)
	if err != nil {
		return 0, cur, err
	}
	v, err := money.ParseDecimal(string(a), cur)
	return v, cur, err
}

// CheckoutDetails is inTandem's checkout, as GET /platform/v1/payment/checkout/{url_key} gives it.
type CheckoutDetails struct {
	Amount     Amount `json:"amount"`
	Currency   string `json:"currency"`
	Name       string `json:"name"`
	ReturnURL  string `json:"return_url"`
	Email      string `json:"email"`
	ClientID   string `json:"client_id"`
	ID         string `json:"id"` // the payment request uid
	InvoiceID  string `json:"invoice_id"`
	AllowSave  bool   `json:"allow_save_card"`
	TermsType  string `json:"terms_and_conditions_type"`
	TermsValue string `json:"terms_and_conditions_value"`
}

// Checkout reads the checkout inTandem sent a buyer to pay.
func (c *Client) Checkout(ctx context.Context, urlKey string) (*CheckoutDetails, error) {
	var d CheckoutDetails
	if err := c.do(ctx, http.MethodGet, "/platform/v1/payment/checkout/"+urlKey, nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Settings reports the connection state of the business.
func (c *Client) Settings(ctx context.Context, app, merchantID string, connected bool) error {
	ps := map[string]any{
		"external_" + app + "_connected": connected,
		"payments_gateway_type":          app,
		"external_" + app + "_params":    map[string]string{"merchant_id": merchantID},
	}
	return c.do(ctx, http.MethodPost, "/platform/v1/payment/settings", map[string]any{"payment_settings": ps}, nil)
}

// BusinessOfToken asks inTandem whose token the client holds
// (GET /oauth/userinfo) and answers its business uid. The answer may come in
// inTandem's {"status","data"} envelope or bare, as OAuth userinfo does.
func (c *Client) BusinessOfToken(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.base, "/")+"/oauth/userinfo", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", &APIError{Status: resp.StatusCode, Code: "userinfo"}
	}
	var info struct {
		BusinessUID string `json:"business_uid"`
		Data        *struct {
			BusinessUID string `json:"business_uid"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &info); err != nil {
		return "", fmt.Errorf("reading inTandem's userinfo: %w", err)
	}
	if info.BusinessUID == "" && info.Data != nil {
		info.BusinessUID = info.Data.BusinessUID
	}
	if info.BusinessUID == "" {
		return "", errors.New("inTandem's userinfo names no business_uid")
	}
	return info.BusinessUID, nil
}

// NewClient returns a client for the API at base with a business's token.
func NewClient(base, token string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 15 * time.Second}
	}
	return &Client{base: base, token: token, http: httpClient}
}
