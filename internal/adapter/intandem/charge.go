package intandem

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/provider"
	"github.com/pgw/pgw/internal/provider/stripe"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
	intandemview "github.com/pgw/pgw/templates/intandem"
)

// The back office's charge: the card iframe, its tokens, and inTandem's
// charge and refund calls.

// chargeProvider picks the provider the charge iframe uses for a connection:
// the site's Stripe provider for the connection's mode, else the sandbox in test.
func (a *App) chargeProvider(r *http.Request, conn *Connection) (*tenant.Provider, string, error) {
	methods, err := a.pay.Methods(r.Context(), &checkout.Checkout{OrganizationID: conn.OrganizationID, SiteID: conn.SiteID, Mode: conn.Mode})
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
	p, err := a.store.GetProvider(r.Context(), pick.ID)
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
	p, pk, err := a.chargeProvider(r, conn)
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
	head := a.pages.Head(pc.nonce, "Card")
	head.BodyClass = "frame"
	frame := intandemview.ChargeFrame{Head: head, PivotID: conn.BusinessUID, TokenURL: "/intandem/token",
		ParentOrigins: strings.Join(conn.Origins(), " "), Provider: string(p.Type), PublishableKey: pk,
		Script: a.pages.AssetURL("js/intandem-charge.js")}
	if err := intandemview.Charge(frame).Render(r.Context(), w); err != nil {
		a.log.Warn("rendering the charge iframe", "err", err)
	}
}

// token checks the card the iframe collected and issues a single-use
// token bound to the business, the amount and the currency.
func (a *App) token(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PivotID       string `json:"pivot_id"`
		Amount        Amount `json:"amount"`
		Currency      string `json:"currency"`
		ClientID      string `json:"client_id"`
		SaveCard      bool   `json:"save_card"`
		Number        string `json:"number"`
		Expiry        string `json:"expiry"`
		CVC           string `json:"cvc"`
		Name          string `json:"name"`
		PaymentMethod string `json:"payment_method"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&req); err != nil {
		httpx.WriteJSON(w, http.StatusBadRequest, map[string]any{"errors": []string{"The card details could not be read."}})
		return
	}
	conn, err := a.data.ConnectionByBusiness(r.Context(), req.PivotID)
	if err != nil {
		httpx.WriteJSON(w, http.StatusNotFound, map[string]any{"errors": []string{"This business is not set up for card payments."}})
		return
	}
	amount, cur, err := req.Amount.Minor(req.Currency)
	if err != nil || amount <= 0 {
		httpx.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": []string{"The amount to charge is not valid."}})
		return
	}
	p, _, err := a.chargeProvider(r, conn)
	if err != nil {
		httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]any{"errors": []string{"No card provider is enabled."}})
		return
	}
	// Checking a card is an attempt: the sandbox decides its outcome now.
	if err := a.pay.TakeBusinessAttempt(r.Context(), conn.BusinessUID, httpx.ClientAddr(r)); err != nil {
		if exceeded(w, err) {
			httpx.WriteJSON(w, http.StatusTooManyRequests, map[string]any{"errors": []string{"Too many card attempts. Please wait a few minutes and try again."}})
		} else {
			a.pages.Fail(w, r, err)
		}
		return
	}
	t := a.now()
	tok := &Token{Token: "tok_" + ids.Token(30), OrganizationID: conn.OrganizationID, SiteID: conn.SiteID,
		BusinessUID: conn.BusinessUID, Amount: amount, Currency: cur.Code, ProviderID: p.ID, ClientID: truncate(req.ClientID, 100),
		SaveCard: req.SaveCard, CreatedAt: t, ExpiresAt: t.Add(tokenLifetime)}
	if p.Type == tenant.ProviderStripe {
		if !strings.HasPrefix(req.PaymentMethod, "pm_") || len(req.PaymentMethod) > 100 {
			httpx.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": []string{"The card could not be read."}})
			return
		}
		tok.PaymentMethod = req.PaymentMethod
	} else {
		month, year := provider.ParseExpiry(req.Expiry)
		card, res, err := a.pay.CheckSandboxCard(r.Context(), req.Number, month, year, req.CVC, req.Name)
		var ve *checkout.Error
		if errors.As(err, &ve) {
			httpx.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": []string{ve.Message}})
			return
		}
		if err != nil {
			a.pages.Fail(w, r, err)
			return
		}
		tok.CardBrand, tok.CardLast4, tok.CardholderName = card.Brand(), card.Last4(), card.Name
		if !res.Succeeded {
			tok.OutcomeCode, tok.OutcomeMessage = res.Code, res.Message
		}
	}
	if err := a.data.CreateToken(r.Context(), tok); err != nil {
		a.pages.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"token": tok.Token, "cardholder_name": tok.CardholderName})
}

// chargeFailed answers inTandem's charge call with an error to show.
func chargeFailed(w http.ResponseWriter, msg string) {
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"error": msg, "error_data": map[string]string{"message": msg}})
}

// charge charges a token for inTandem's back office; it answers
// {charge_key} or {error, error_data}, and is idempotent on payment_status_uid.
func (a *App) charge(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Amount           Amount `json:"amount"`
		Currency         string `json:"currency"`
		Token            string `json:"token"`
		Description      string `json:"description"`
		CustomerID       string `json:"customer_id"`
		Initiator        string `json:"initiator"`
		PaymentStatusUID string `json:"payment_status_uid"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&req); err != nil {
		chargeFailed(w, "The charge request could not be read.")
		return
	}
	psu := strings.TrimSpace(req.PaymentStatusUID)
	if psu == "" || len(psu) > 100 {
		chargeFailed(w, "payment_status_uid is required.")
		return
	}
	tok, err := a.data.GetToken(r.Context(), req.Token)
	if err != nil {
		chargeFailed(w, "Unknown card token: enter the card again.")
		return
	}
	amount, cur, err := req.Amount.Minor(req.Currency)
	if err != nil || amount != tok.Amount || cur.Code != tok.Currency {
		chargeFailed(w, "The amount or currency differs from the card check: enter the card again.")
		return
	}
	if tok.UsedBy != "" && tok.UsedBy != psu {
		chargeFailed(w, "This card token was already used: enter the card again.")
		return
	}
	// A payment status charged before is answered again only to the token
	// that paid it, for the same amount; anything else changes nothing.
	ref := ChargeRef(tok.BusinessUID, psu)
	if c, err := a.store.FindCheckoutBySourceRef(r.Context(), tok.SiteID, checkout.SourceIntandem, ref); err == nil {
		if c.Amount != amount || c.Currency != cur.Code {
			chargeFailed(w, "This payment_status_uid was charged with another amount.")
			return
		}
		if c.Status == checkout.StatusComplete {
			if tok.UsedBy != psu {
				chargeFailed(w, "This payment_status_uid was charged with another card.")
				return
			}
			a.chargeAnswer(w, r, c, tok, nil)
			return
		}
	}
	if a.now().After(tok.ExpiresAt) {
		chargeFailed(w, "The card check has expired: enter the card again.")
		return
	}
	if err := a.pay.TakeBusinessAttempt(r.Context(), tok.BusinessUID, ""); err != nil {
		if exceeded(w, err) {
			msg := "Too many charges for this business just now. Please wait a few minutes and try again."
			httpx.WriteJSON(w, http.StatusTooManyRequests, map[string]any{"error": msg, "error_data": map[string]string{"message": msg}})
		} else {
			a.pages.Fail(w, r, err)
		}
		return
	}
	if claimed, err := a.data.ClaimToken(r.Context(), tok.Token, psu); err != nil {
		a.pages.Fail(w, r, err)
		return
	} else if !claimed {
		if again, err := a.data.GetToken(r.Context(), tok.Token); err != nil || again.UsedBy != psu {
			chargeFailed(w, "This card token was already used: enter the card again.")
			return
		}
	}
	conn, err := a.data.ConnectionBySite(r.Context(), tok.SiteID)
	if err != nil {
		chargeFailed(w, "This business is not set up for card payments.")
		return
	}
	desc := strings.TrimSpace(req.Description)
	if desc == "" {
		desc = "Charge"
	}
	site, err := a.store.GetSite(r.Context(), tok.OrganizationID, tok.SiteID)
	if err != nil {
		a.pages.Fail(w, r, err)
		return
	}
	c, _, err := a.checkouts.FindOrCreate(r.Context(), checkouts.Input{Request: &checkout.CreateRequest{
		Amount: json.Number(itoa(amount)), Currency: cur.Code, ExternalReference: checkout.Text(psu),
		Items: []checkout.ItemRequest{{Name: truncate(desc, 200), UnitPrice: json.Number(itoa(amount))}},
		Metadata: map[string]any{"intandem_payment_status_uid": psu, "intandem_initiator": truncate(req.Initiator, 40),
			"intandem_customer_id": truncate(req.CustomerID, 500), "intandem_business_uid": tok.BusinessUID},
	}, Site: site, Mode: conn.Mode, Source: checkout.SourceIntandem, SourceRef: ref, DefaultExpiry: time.Hour})
	var ve *checkout.Error
	if errors.As(err, &ve) {
		chargeFailed(w, "The charge is not valid: "+ve.Message)
		return
	}
	if err != nil {
		a.pages.Fail(w, r, err)
		return
	}
	res, err := a.pay.ChargeToken(r.Context(), c, payment.CheckedCard{Key: tok.Token, ProviderID: tok.ProviderID,
		PaymentMethod: tok.PaymentMethod, CardBrand: tok.CardBrand, CardLast4: tok.CardLast4, OutcomeCode: tok.OutcomeCode,
		OutcomeMessage: tok.OutcomeMessage})
	if err != nil {
		a.log.Error("inTandem charge", "err", err)
		chargeFailed(w, "The charge could not be processed. Try again.")
		return
	}
	if err := a.data.SetTokenTransaction(r.Context(), tok.Token, res.Transaction.ID); err != nil {
		a.pages.Fail(w, r, err)
		return
	}
	tok.TransactionID = res.Transaction.ID
	a.chargeAnswer(w, r, c, tok, res)
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
