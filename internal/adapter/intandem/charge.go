package intandem

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/provider/stripe"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
	intandemview "github.com/pgw/pgw/templates/intandem"
)

// The back office's charge: the card iframe, its tokens, and inTandem's
// charge and refund calls.

// chargeProvider picks the provider the charge iframe uses for a connection:
// the site's Stripe provider for the connection's mode, else the sandbox in test.
func (a *App) chargeProvider(ctx context.Context, conn *Connection) (*tenant.Provider, string, error) {
	methods, err := a.pay.Methods(ctx, &checkout.Checkout{OrganizationID: conn.OrganizationID, SiteID: conn.SiteID, Mode: conn.Mode})
	if err != nil {
		return nil, "", err
	}
	var pick *payment.Method
	for i, m := range methods {
		if m.Type == tenant.ProviderStripe || pick == nil {
			pick = &methods[i]
		}
	}
	if pick == nil {
		return nil, "", errors.New("no card provider")
	}
	p, err := a.store.GetProvider(ctx, pick.ID)
	if err != nil {
		return nil, "", err
	}
	pk := ""
	if p.Type == tenant.ProviderStripe {
		cfg, err := stripe.ParseConfig(p.Config)
		if err != nil {
			return nil, "", err
		}
		pk = cfg.PublishableKey
	}
	return p, pk, nil
}

// chargeFrame serves the card iframe; only the configured inTandem
// origins may frame it.
func (a *App) chargeFrame(w http.ResponseWriter, r *http.Request) {
	pivot := r.URL.Query().Get("pivot_id")
	conn, err := a.data.ConnectionByBusiness(r.Context(), pivot)
	if err != nil {
		a.pages.Message(w, r, http.StatusNotFound, "Not set up", "This business is not set up for card payments here.", "", "")
		return
	}
	p, pk, err := a.chargeProvider(r.Context(), conn)
	if err != nil {
		a.pages.Message(w, r, http.StatusServiceUnavailable, "Unavailable", "No card provider is enabled for this business.", "", "")
		return
	}
	pc := struct{ nonce string }{ids.Secret(16)}
	csp := httpx.StrictCSP().Add("script-src", "'nonce-"+pc.nonce+"'").Set("form-action", "'none'")
	if origins := conn.Origins(); len(origins) > 0 {
		csp.Set("frame-ancestors", origins...)
	}
	if p.Type == tenant.ProviderStripe {
		csp.Add("script-src", "https://js.stripe.com").Add("connect-src", "https://api.stripe.com").
			Set("frame-src", "https://js.stripe.com", "https://hooks.stripe.com")
	}
	h := w.Header()
	h.Set("Content-Security-Policy", csp.String())
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/html; charset=utf-8")
	head, ctx := a.pages.Localized(r, pc.nonce, "receipt.card")
	head.BodyClass = "frame"
	frame := intandemview.ChargeFrame{Head: head, PivotID: conn.BusinessUID, TokenURL: "/intandem/token",
		ParentOrigins: strings.Join(conn.Origins(), " "), Provider: string(p.Type), PublishableKey: pk,
		Script: a.pages.AssetURL("js/intandem-charge.js")}
	if err := intandemview.Charge(frame).Render(ctx, w); err != nil {
		a.log.Warn("rendering the charge iframe", "err", err)
	}
}

// chargeRequest is inTandem's charge call.
type chargeRequest struct {
	Amount           Amount `json:"amount"`
	Currency         string `json:"currency"`
	Token            string `json:"token"`
	Description      string `json:"description"`
	CustomerID       string `json:"customer_id"`
	Initiator        string `json:"initiator"`
	PaymentStatusUID string `json:"payment_status_uid"`
}

// refused is a charge inTandem is told failed, with the reason to show.
func refused(msg string) error { return errs.New(errs.Invalid, "charge_refused", msg) }

// charge charges a token for inTandem's back office; it answers
// {charge_key} or {error, error_data}, and is idempotent on payment_status_uid.
func (a *App) charge(w http.ResponseWriter, r *http.Request) {
	var req chargeRequest
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&req)
	if err != nil {
		err = refused("The charge request could not be read.")
	}
	var c *checkout.Checkout
	var tok *Token
	var res *payment.Result
	if err == nil {
		c, tok, res, err = a.chargeToken(r.Context(), &req)
	}
	if a.chargeRefused(w, r, err) {
		return
	}
	a.chargeAnswer(w, r, c, tok, res)
}

// chargeToken charges the token once per payment status: a payment status
// charged before is answered again (res nil) only to the token that paid it,
// for the same amount; anything else changes nothing.
func (a *App) chargeToken(ctx context.Context, req *chargeRequest) (*checkout.Checkout, *Token, *payment.Result, error) {
	psu := strings.TrimSpace(req.PaymentStatusUID)
	if psu == "" || len(psu) > 100 {
		return nil, nil, nil, refused("payment_status_uid is required.")
	}
	tok, err := a.data.GetToken(ctx, req.Token)
	if err != nil {
		return nil, nil, nil, refused("Unknown card token: enter the card again.")
	}
	amount, cur, err := req.Amount.Minor(req.Currency)
	if err != nil || amount != tok.Amount || cur.Code != tok.Currency {
		return nil, nil, nil, refused("The amount or currency differs from the card check: enter the card again.")
	}
	if tok.UsedBy != "" && tok.UsedBy != psu {
		return nil, nil, nil, refused("This card token was already used: enter the card again.")
	}
	ref := ChargeRef(tok.BusinessUID, psu)
	if c, err := a.store.FindCheckoutBySourceRef(ctx, tok.SiteID, checkout.SourceIntandem, ref); err == nil {
		if c.Amount != amount || c.Currency != cur.Code {
			return nil, nil, nil, refused("This payment_status_uid was charged with another amount.")
		}
		if c.Status == checkout.StatusComplete {
			if tok.UsedBy != psu {
				return nil, nil, nil, refused("This payment_status_uid was charged with another card.")
			}
			return c, tok, nil, nil
		}
	}
	if a.now().After(tok.ExpiresAt) {
		return nil, nil, nil, refused("The card check has expired: enter the card again.")
	}
	if err := a.pay.TakeBusinessAttempt(ctx, tok.BusinessUID, ""); err != nil {
		return nil, nil, nil, tooMany(err, "Too many charges for this business just now. Please wait a few minutes and try again.")
	}
	if claimed, err := a.data.ClaimToken(ctx, tok.Token, psu); err != nil {
		return nil, nil, nil, err
	} else if !claimed {
		if again, err := a.data.GetToken(ctx, tok.Token); err != nil || again.UsedBy != psu {
			return nil, nil, nil, refused("This card token was already used: enter the card again.")
		}
	}
	c, err := a.chargeCheckout(ctx, req, tok, psu, amount, cur.Code)
	if err != nil {
		return nil, nil, nil, err
	}
	res, err := a.pay.ChargeToken(ctx, c, payment.CheckedCard{Key: tok.Token, ProviderID: tok.ProviderID,
		PaymentMethod: tok.PaymentMethod, CardBrand: tok.CardBrand, CardLast4: tok.CardLast4, OutcomeCode: tok.OutcomeCode,
		OutcomeMessage: tok.OutcomeMessage})
	if err != nil {
		a.log.Error("inTandem charge", "err", err)
		return nil, nil, nil, refused("The charge could not be processed. Try again.")
	}
	if err := a.data.SetTokenTransaction(ctx, tok.Token, res.Transaction.ID); err != nil {
		return nil, nil, nil, err
	}
	tok.TransactionID = res.Transaction.ID
	return c, tok, res, nil
}

// chargeCheckout finds or creates the checkout of a payment status through the
// checkout service.
func (a *App) chargeCheckout(ctx context.Context, req *chargeRequest, tok *Token, psu string, amount int64, currency string) (*checkout.Checkout, error) {
	conn, err := a.data.ConnectionBySite(ctx, tok.SiteID)
	if err != nil {
		return nil, refused("This business is not set up for card payments.")
	}
	desc := strings.TrimSpace(req.Description)
	if desc == "" {
		desc = "Charge"
	}
	site, err := a.store.GetSite(ctx, tok.OrganizationID, tok.SiteID)
	if err != nil {
		return nil, err
	}
	c, _, err := a.checkouts.FindOrCreate(ctx, checkouts.Input{Request: &checkout.CreateRequest{
		Amount: json.Number(itoa(amount)), Currency: currency, ExternalReference: checkout.Text(psu),
		Items: []checkout.ItemRequest{{Name: truncate(desc, 200), UnitPrice: json.Number(itoa(amount))}},
		Metadata: map[string]any{"intandem_payment_status_uid": psu, "intandem_initiator": truncate(req.Initiator, 40),
			"intandem_customer_id": truncate(req.CustomerID, 500), "intandem_business_uid": tok.BusinessUID},
	}, Site: site, Mode: conn.Mode, Source: checkout.SourceIntandem, SourceRef: ChargeRef(tok.BusinessUID, psu), DefaultExpiry: time.Hour})
	if e, ok := errs.As(err); ok && e.Kind == errs.Invalid {
		return nil, refused("The charge is not valid: " + e.Message)
	}
	if e, ok := errs.As(err); ok && e.Kind == errs.Forbidden {
		return nil, refused("This customer cannot be charged here: " + e.Message + ".")
	}
	return c, err
}

// chargeFailed answers inTandem's charge call with an error to show.
func chargeFailed(w http.ResponseWriter, msg string) {
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"error": msg, "error_data": map[string]string{"message": msg}})
}

// chargeRefused answers a charge's error, and reports whether there was one:
// a refusal as an error to show, a limit's as 429 with Retry-After, anything
// else as the pages' failure.
func (a *App) chargeRefused(w http.ResponseWriter, r *http.Request, err error) bool {
	e, ok := errs.As(err)
	switch {
	case err == nil:
		return false
	case ok && e.Kind == errs.Invalid:
		chargeFailed(w, e.Message)
	case ok && e.Kind == errs.TooMany:
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds()))
		httpx.WriteJSON(w, http.StatusTooManyRequests, map[string]any{"error": e.Message, "error_data": map[string]string{"message": e.Message}})
	default:
		a.pages.Fail(w, r, err)
	}
	return true
}

// chargeAnswer answers the token that paid the checkout with the charge_key of
// the successful attempt, or with the reason the attempt failed.
func (a *App) chargeAnswer(w http.ResponseWriter, r *http.Request, c *checkout.Checkout, tok *Token, res *payment.Result) {
	full, err := a.store.GetCheckout(r.Context(), c.OrganizationID, c.ID)
	if err != nil {
		a.pages.Fail(w, r, err)
		return
	}
	for _, t := range full.Transactions {
		if !t.Paid() {
			continue
		}
		// A token's transaction is recorded after its charge; a process that
		// stopped in between leaves it empty, and the claim still binds it.
		if tok.TransactionID != "" && tok.TransactionID != t.ID {
			chargeFailed(w, "This payment_status_uid was charged with another card.")
			return
		}
		key, err := a.data.IssueChargeKey(r.Context(), t.OrganizationID, t.ID)
		if err != nil {
			a.pages.Fail(w, r, err)
			return
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"charge_key": key})
		return
	}
	msg := "The card was declined."
	if res != nil && res.Message != "" {
		msg = res.Message
	}
	chargeFailed(w, msg)
}

// refund refunds a payment of inTandem's by its charge_key: partial
// refunds add up and never exceed what was captured.
func (a *App) refund(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Amount    Amount `json:"amount"`
		ChargeKey string `json:"charge_key"`
		Currency  string `json:"currency"`
	}
	fail := func(status int, msg string) {
		httpx.WriteJSON(w, status, map[string]any{"success": false, "error": msg})
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&req); err != nil {
		fail(http.StatusBadRequest, "The refund request could not be read.")
		return
	}
	tx, err := a.data.TransactionByChargeKey(r.Context(), req.ChargeKey)
	var c *checkout.Checkout
	if err == nil {
		c, err = a.store.GetCheckoutByIDUnscoped(r.Context(), tx.CheckoutID)
	}
	if err != nil || c.Source != checkout.SourceIntandem {
		fail(http.StatusNotFound, "Unknown charge_key.")
		return
	}
	amount, cur, err := req.Amount.Minor(req.Currency)
	switch {
	case err != nil || amount <= 0:
		fail(http.StatusUnprocessableEntity, "The amount is not valid.")
		return
	case cur.Code != tx.Currency:
		fail(http.StatusUnprocessableEntity, "The currency differs from the payment's.")
		return
	}
	_, err = a.pay.Refund(r.Context(), c.OrganizationID, tx.ID, amount)
	switch {
	case errors.Is(err, store.ErrRefundTooMuch):
		fail(http.StatusUnprocessableEntity, "The refund exceeds what is left to refund.")
	case errors.Is(err, store.ErrNotRefundable):
		fail(http.StatusUnprocessableEntity, "This payment cannot be refunded (it is not paid, or already refunded in full).")
	case errors.Is(err, payment.ErrProvider):
		fail(http.StatusBadGateway, "The payment provider could not refund. Nothing was refunded.")
	case err != nil:
		a.log.Error("inTandem refund", "err", err)
		fail(http.StatusInternalServerError, "The refund could not be processed.")
	default:
		httpx.WriteJSON(w, http.StatusOK, map[string]bool{"success": true})
	}
}
