package frontend

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pgw/pgw/internal/adapter/intandem"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/limits"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/provider"
	"github.com/pgw/pgw/internal/provider/stripe"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
	"github.com/pgw/pgw/templates/hosted"
	intandemview "github.com/pgw/pgw/templates/intandem"
)

// inTandem's payment-app contract, all under {urls.main_frontend}/intandem.

// tokenLifetime is how long a card checked in the charge iframe can be charged.
const tokenLifetime = 15 * time.Minute

var urlKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,200}$`)

func (f *Frontend) registerIntandem(mux *http.ServeMux) {
	mux.HandleFunc("GET /intandem/connect", f.intandemConnect)
	mux.HandleFunc("GET /intandem/disconnect", f.intandemDisconnect)
	mux.HandleFunc("GET /intandem/checkout/{business_uid}/{url_key}", f.intandemCheckout)
	mux.HandleFunc("GET /intandem/charge", f.intandemChargeFrame)
	mux.Handle("POST /intandem/token", http.NewCrossOriginProtection().Handler(http.HandlerFunc(f.intandemToken)))
	mux.HandleFunc("POST /intandem/charge", f.intandemCharge)
	mux.HandleFunc("POST /intandem/refund", f.intandemRefund)
}

// message shows a page that says what happened.
func (f *Frontend) message(w http.ResponseWriter, r *http.Request, status int, title, msg, link, linkText string) {
	pc := pageCtx{nonce: ids.Secret(16)}
	f.render(w, r, status, pc, hosted.Message(hosted.MessagePage{Head: f.head(pc, title), Title: title, Message: msg,
		LinkURL: link, LinkText: linkText}))
}

func (f *Frontend) intandemClient(c *store.IntandemConnection) *intandem.Client {
	return intandem.NewClient(c.APIBase, c.Token, f.opts.HTTPClient)
}

// intandemConnect completes the merchant's connect dialog: it reports the
// connection to inTandem and returns to inTandem's redirect_url.
func (f *Frontend) intandemConnect(w http.ResponseWriter, r *http.Request) {
	conn, back, ok := f.intandemDialog(w, r)
	if !ok {
		return
	}
	if err := f.intandemClient(conn).Settings(r.Context(), conn.AppName, conn.SiteID, true); err != nil {
		f.log.Warn("reporting the inTandem connection", "err", err, "business", conn.BusinessUID)
		f.message(w, r, http.StatusBadGateway, "Could not finish", "We could not tell inTandem about the change. Please try again in a moment.", back, "Back to inTandem")
		return
	}
	if err := f.store.SetIntandemConnected(r.Context(), conn.SiteID, true); err != nil {
		f.fail(w, r, err)
		return
	}
	if back != "" {
		http.Redirect(w, r, back, http.StatusFound)
		return
	}
	f.message(w, r, http.StatusOK, "Done", "Payments are connected.", "", "")
}

// intandemDisconnect changes nothing: anyone can follow a link, so the
// disconnect is confirmed in the dashboard by an admin of the site's
// organization, who is sent back to inTandem from there.
func (f *Frontend) intandemDisconnect(w http.ResponseWriter, r *http.Request) {
	conn, back, ok := f.intandemDialog(w, r)
	if !ok {
		return
	}
	confirm := strings.TrimRight(f.opts.DashboardURL, "/") + "/dashboard/intandem/disconnect?" +
		url.Values{"b_uid": {conn.BusinessUID}, "redirect_url": {back}}.Encode()
	f.message(w, r, http.StatusOK, "Confirm in the dashboard",
		"Disconnecting stops card payments for this business. An administrator of the merchant's payment account confirms it in the dashboard.",
		confirm, "Continue to the dashboard")
}

// intandemDialog reads the business and the redirect_url of a connect or
// disconnect link; redirect_url must be on one of the connection's inTandem
// origins.
func (f *Frontend) intandemDialog(w http.ResponseWriter, r *http.Request) (*store.IntandemConnection, string, bool) {
	q := r.URL.Query()
	conn, err := f.store.IntandemByBusiness(r.Context(), q.Get("b_uid"))
	if err != nil {
		f.message(w, r, http.StatusNotFound, "Not set up yet",
			"This business is not set up for payments here yet. Ask the payment provider's administrator to add it.", "", "")
		return nil, "", false
	}
	back := q.Get("redirect_url")
	if back != "" && !conn.AllowsRedirect(back) {
		f.message(w, r, http.StatusBadRequest, "Invalid link", "The link back to inTandem is not valid.", "", "")
		return nil, "", false
	}
	return conn, back, true
}

// intandemCheckout takes a buyer inTandem sent to pay: it reads the checkout
// from inTandem, creates (or reuses) ours, and shows our hosted page.
func (f *Frontend) intandemCheckout(w http.ResponseWriter, r *http.Request) {
	bUID, urlKey := r.PathValue("business_uid"), r.PathValue("url_key")
	conn, err := f.store.IntandemByBusiness(r.Context(), bUID)
	if err != nil || !urlKeyRE.MatchString(urlKey) {
		f.message(w, r, http.StatusNotFound, "Payment link not found", "This payment link is not valid. Ask the business for a new one.", "", "")
		return
	}
	ref := store.IntandemCheckoutRef(bUID, urlKey)
	if c, err := f.store.FindCheckoutBySourceRef(r.Context(), conn.SiteID, checkout.SourceIntandem, ref); err == nil {
		http.Redirect(w, r, "/checkout/"+c.ShortCode, http.StatusSeeOther)
		return
	}
	d, err := f.intandemClient(conn).Checkout(r.Context(), urlKey)
	if err != nil {
		f.intandemCheckoutError(w, r, err)
		return
	}
	amount, _, err := d.Amount.Minor(d.Currency)
	if err != nil {
		f.log.Warn("inTandem checkout amount", "err", err, "amount", d.Amount, "currency", d.Currency)
		f.message(w, r, http.StatusBadGateway, "Payment not possible", "This payment has an amount or currency we cannot take. Please contact the business.", "", "")
		return
	}
	name := strings.TrimSpace(d.Name)
	if name == "" {
		name = "Payment"
	}
	ret := d.ReturnURL
	if checkout.CheckURL("return_url", ret) != nil {
		ret = ""
	}
	email := strings.TrimSpace(d.Email)
	if strings.EqualFold(email, "nil") || checkout.CheckEmail("email", email) != nil {
		email = ""
	}
	reference := d.ID
	if reference == "" {
		reference = urlKey
	}
	site, err := f.store.GetSite(r.Context(), conn.OrganizationID, conn.SiteID)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	got, _, err := f.checkouts.FindOrCreate(r.Context(), checkouts.Input{Request: &checkout.CreateRequest{
		Amount: json.Number(itoa(amount)), Currency: d.Currency, Email: email, ReturnURL: ret,
		ExternalReference: checkout.Text(reference),
		Items:             []checkout.ItemRequest{{Name: truncate(name, 200), UnitPrice: json.Number(itoa(amount))}},
		Metadata: map[string]any{"intandem_business_uid": bUID, "intandem_url_key": urlKey,
			"intandem_client_id": truncate(d.ClientID, 500), "intandem_payment_request": truncate(d.ID, 500)},
	}, Site: site, Mode: conn.Mode, Source: checkout.SourceIntandem, SourceRef: ref})
	var ve *checkout.Error
	if errors.As(err, &ve) {
		f.message(w, r, http.StatusUnprocessableEntity, "Payment not possible", "This payment cannot be taken here: "+ve.Message, ret, "Back")
		return
	}
	if err != nil {
		f.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/checkout/"+got.ShortCode, http.StatusSeeOther)
}

// intandemCheckoutError gives the buyer a clear page for what inTandem said.
func (f *Frontend) intandemCheckoutError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *intandem.APIError
	switch {
	case errors.As(err, &ae) && strings.EqualFold(ae.Code, "Already_paid"):
		f.message(w, r, http.StatusConflict, "Already paid", "This payment has already been made. Nothing more is due.", "", "")
	case errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden || strings.EqualFold(ae.Code, "Unauthorized")):
		f.log.Warn("inTandem refused the business's token", "err", err)
		f.message(w, r, http.StatusBadGateway, "Payment unavailable", "The business's payment connection needs attention. Please contact the business.", "", "")
	case errors.As(err, &ae):
		f.message(w, r, http.StatusNotFound, "Payment link not valid", "This payment link is not valid or has expired. Ask the business for a new one.", "", "")
	default:
		f.log.Warn("reading the inTandem checkout", "err", err)
		f.message(w, r, http.StatusBadGateway, "Please try again", "We could not reach the business's booking system. Please try again in a moment.", "", "")
	}
}

// chargeProvider picks the provider the charge iframe uses for a connection:
// the site's Stripe provider for the connection's mode, else the sandbox in test.
func (f *Frontend) chargeProvider(r *http.Request, conn *store.IntandemConnection) (*tenant.Provider, string, error) {
	methods, err := f.pay.Methods(r.Context(), &checkout.Checkout{OrganizationID: conn.OrganizationID, SiteID: conn.SiteID, Mode: conn.Mode})
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
	p, err := f.store.GetProvider(r.Context(), pick.ID)
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

// intandemChargeFrame serves the card iframe; only the configured inTandem
// origins may frame it.
func (f *Frontend) intandemChargeFrame(w http.ResponseWriter, r *http.Request) {
	pivot := r.URL.Query().Get("pivot_id")
	conn, err := f.store.IntandemByBusiness(r.Context(), pivot)
	if err != nil {
		f.message(w, r, http.StatusNotFound, "Not set up", "This business is not set up for card payments here.", "", "")
		return
	}
	p, pk, err := f.chargeProvider(r, conn)
	if err != nil {
		f.message(w, r, http.StatusServiceUnavailable, "Unavailable", "No card provider is enabled for this business.", "", "")
		return
	}
	pc := pageCtx{nonce: ids.Secret(16), lang: "en"}
	csp := httpx.StrictCSP().Add("script-src", "'nonce-"+pc.nonce+"'").Set("form-action", "'none'")
	if p.Type == tenant.ProviderStripe {
		csp.Add("script-src", "https://js.stripe.com").Add("connect-src", "https://api.stripe.com")
	}
	if origins := conn.Origins(); len(origins) > 0 {
		csp.Set("frame-ancestors", origins...)
	}
	if p.Type == tenant.ProviderStripe {
		csp.Set("frame-src", "https://js.stripe.com", "https://hooks.stripe.com")
	}
	h := w.Header()
	h.Set("Content-Security-Policy", csp.String())
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/html; charset=utf-8")
	head := f.head(pc, "Card")
	head.BodyClass = "frame"
	frame := intandemview.ChargeFrame{Head: head, PivotID: conn.BusinessUID, TokenURL: "/intandem/token",
		ParentOrigins: strings.Join(conn.Origins(), " "), Provider: string(p.Type), PublishableKey: pk,
		Script: f.assets.URL("js/intandem-charge.js")}
	if err := intandemview.Charge(frame).Render(r.Context(), w); err != nil {
		f.log.Warn("rendering the charge iframe", "err", err)
	}
}

// intandemToken checks the card the iframe collected and issues a single-use
// token bound to the business, the amount and the currency.
func (f *Frontend) intandemToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PivotID       string          `json:"pivot_id"`
		Amount        intandem.Amount `json:"amount"`
		Currency      string          `json:"currency"`
		ClientID      string          `json:"client_id"`
		SaveCard      bool            `json:"save_card"`
		Number        string          `json:"number"`
		Expiry        string          `json:"expiry"`
		CVC           string          `json:"cvc"`
		Name          string          `json:"name"`
		PaymentMethod string          `json:"payment_method"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxForm)).Decode(&req); err != nil {
		httpx.WriteJSON(w, http.StatusBadRequest, map[string]any{"errors": []string{"The card details could not be read."}})
		return
	}
	conn, err := f.store.IntandemByBusiness(r.Context(), req.PivotID)
	if err != nil {
		httpx.WriteJSON(w, http.StatusNotFound, map[string]any{"errors": []string{"This business is not set up for card payments."}})
		return
	}
	amount, cur, err := req.Amount.Minor(req.Currency)
	if err != nil || amount <= 0 {
		httpx.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": []string{"The amount to charge is not valid."}})
		return
	}
	p, _, err := f.chargeProvider(r, conn)
	if err != nil {
		httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]any{"errors": []string{"No card provider is enabled."}})
		return
	}
	// Checking a card is an attempt: the sandbox decides its outcome now.
	if err := f.pay.TakeBusinessAttempt(r.Context(), conn.BusinessUID, httpx.ClientAddr(r)); err != nil {
		if exceeded(w, err) {
			httpx.WriteJSON(w, http.StatusTooManyRequests, map[string]any{"errors": []string{"Too many card attempts. Please wait a few minutes and try again."}})
		} else {
			f.fail(w, r, err)
		}
		return
	}
	t := f.now()
	tok := &store.IntandemToken{Token: "tok_" + ids.Token(30), OrganizationID: conn.OrganizationID, SiteID: conn.SiteID,
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
		card, res, err := f.pay.CheckSandboxCard(r.Context(), req.Number, month, year, req.CVC, req.Name)
		var ve *checkout.Error
		if errors.As(err, &ve) {
			httpx.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": []string{ve.Message}})
			return
		}
		if err != nil {
			f.fail(w, r, err)
			return
		}
		tok.CardBrand, tok.CardLast4, tok.CardholderName = card.Brand(), card.Last4(), card.Name
		if !res.Succeeded {
			tok.OutcomeCode, tok.OutcomeMessage = res.Code, res.Message
		}
	}
	if err := f.store.CreateIntandemToken(r.Context(), tok); err != nil {
		f.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"token": tok.Token, "cardholder_name": tok.CardholderName})
}

// chargeFailed answers inTandem's charge call with an error to show.
func chargeFailed(w http.ResponseWriter, msg string) {
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"error": msg, "error_data": map[string]string{"message": msg}})
}

// intandemCharge charges a token for inTandem's back office; it answers
// {charge_key} or {error, error_data}, and is idempotent on payment_status_uid.
func (f *Frontend) intandemCharge(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Amount           intandem.Amount `json:"amount"`
		Currency         string          `json:"currency"`
		Token            string          `json:"token"`
		Description      string          `json:"description"`
		CustomerID       string          `json:"customer_id"`
		Initiator        string          `json:"initiator"`
		PaymentStatusUID string          `json:"payment_status_uid"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxForm)).Decode(&req); err != nil {
		chargeFailed(w, "The charge request could not be read.")
		return
	}
	psu := strings.TrimSpace(req.PaymentStatusUID)
	if psu == "" || len(psu) > 100 {
		chargeFailed(w, "payment_status_uid is required.")
		return
	}
	tok, err := f.store.GetIntandemToken(r.Context(), req.Token)
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
	ref := store.IntandemChargeRef(tok.BusinessUID, psu)
	if c, err := f.store.FindCheckoutBySourceRef(r.Context(), tok.SiteID, checkout.SourceIntandem, ref); err == nil {
		if c.Amount != amount || c.Currency != cur.Code {
			chargeFailed(w, "This payment_status_uid was charged with another amount.")
			return
		}
		if c.Status == checkout.StatusComplete {
			if tok.UsedBy != psu {
				chargeFailed(w, "This payment_status_uid was charged with another card.")
				return
			}
			f.chargeAnswer(w, r, c, tok, nil)
			return
		}
	}
	if f.now().After(tok.ExpiresAt) {
		chargeFailed(w, "The card check has expired: enter the card again.")
		return
	}
	if err := f.pay.TakeBusinessAttempt(r.Context(), tok.BusinessUID, ""); err != nil {
		if exceeded(w, err) {
			msg := "Too many charges for this business just now. Please wait a few minutes and try again."
			httpx.WriteJSON(w, http.StatusTooManyRequests, map[string]any{"error": msg, "error_data": map[string]string{"message": msg}})
		} else {
			f.fail(w, r, err)
		}
		return
	}
	if claimed, err := f.store.ClaimIntandemToken(r.Context(), tok.Token, psu); err != nil {
		f.fail(w, r, err)
		return
	} else if !claimed {
		if again, err := f.store.GetIntandemToken(r.Context(), tok.Token); err != nil || again.UsedBy != psu {
			chargeFailed(w, "This card token was already used: enter the card again.")
			return
		}
	}
	conn, err := f.store.IntandemBySite(r.Context(), tok.SiteID)
	if err != nil {
		chargeFailed(w, "This business is not set up for card payments.")
		return
	}
	desc := strings.TrimSpace(req.Description)
	if desc == "" {
		desc = "Charge"
	}
	site, err := f.store.GetSite(r.Context(), tok.OrganizationID, tok.SiteID)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	c, _, err := f.checkouts.FindOrCreate(r.Context(), checkouts.Input{Request: &checkout.CreateRequest{
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
		f.fail(w, r, err)
		return
	}
	res, err := f.pay.ChargeToken(r.Context(), c, tok)
	if err != nil {
		f.log.Error("inTandem charge", "err", err)
		chargeFailed(w, "The charge could not be processed. Try again.")
		return
	}
	if err := f.store.SetIntandemTokenTransaction(r.Context(), tok.Token, res.Transaction.ID); err != nil {
		f.fail(w, r, err)
		return
	}
	tok.TransactionID = res.Transaction.ID
	f.chargeAnswer(w, r, c, tok, res)
}

// chargeAnswer answers the token that paid the checkout with the charge_key of
// the successful attempt, or with the reason the attempt failed.
func (f *Frontend) chargeAnswer(w http.ResponseWriter, r *http.Request, c *checkout.Checkout, tok *store.IntandemToken, res *payment.Result) {
	full, err := f.store.GetCheckout(r.Context(), c.OrganizationID, c.ID)
	if err != nil {
		f.fail(w, r, err)
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
		key, err := f.store.IssueIntandemChargeKey(r.Context(), t.OrganizationID, t.ID)
		if err != nil {
			f.fail(w, r, err)
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

// intandemRefund refunds a payment of inTandem's by its charge_key: partial
// refunds add up and never exceed what was captured.
func (f *Frontend) intandemRefund(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Amount    intandem.Amount `json:"amount"`
		ChargeKey string          `json:"charge_key"`
		Currency  string          `json:"currency"`
	}
	fail := func(status int, msg string) {
		httpx.WriteJSON(w, status, map[string]any{"success": false, "error": msg})
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxForm)).Decode(&req); err != nil {
		fail(http.StatusBadRequest, "The refund request could not be read.")
		return
	}
	tx, err := f.store.TransactionByIntandemChargeKey(r.Context(), req.ChargeKey)
	var c *checkout.Checkout
	if err == nil {
		c, err = f.store.GetCheckoutByIDUnscoped(r.Context(), tx.CheckoutID)
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
	_, err = f.pay.Refund(r.Context(), c.OrganizationID, tx.ID, amount)
	switch {
	case errors.Is(err, store.ErrRefundTooMuch):
		fail(http.StatusUnprocessableEntity, "The refund exceeds what is left to refund.")
	case errors.Is(err, store.ErrNotRefundable):
		fail(http.StatusUnprocessableEntity, "This payment cannot be refunded (it is not paid, or already refunded in full).")
	case errors.Is(err, payment.ErrProvider):
		fail(http.StatusBadGateway, "The payment provider could not refund. Nothing was refunded.")
	case err != nil:
		f.log.Error("inTandem refund", "err", err)
		fail(http.StatusInternalServerError, "The refund could not be processed.")
	default:
		httpx.WriteJSON(w, http.StatusOK, map[string]bool{"success": true})
	}
}

// exceeded reports whether err is a limit's refusal, and then sets
// Retry-After.
func exceeded(w http.ResponseWriter, err error) bool {
	var ex *limits.Exceeded
	if !errors.As(err, &ex) {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(ex.RetryAfterSeconds()))
	return true
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
