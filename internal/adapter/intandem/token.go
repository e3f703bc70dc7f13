package intandem

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/provider"
	"github.com/pgw/pgw/internal/tenant"
)

// tokenRequest is the card the charge iframe collected.
type tokenRequest struct {
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
	// clientAddr is the address the request came from, for the limits.
	clientAddr string
}

// Refusals of a card check, in the iframe's words.
var (
	errTokenUnreadable = errs.New(errs.BadRequest, "unreadable", "The card details could not be read.")
	errNotSetUp        = errs.New(errs.NotFound, "not_set_up", "This business is not set up for card payments.")
	errTokenAmount     = errs.New(errs.Invalid, "amount", "The amount to charge is not valid.")
	errNoCardProvider  = errs.New(errs.Unavailable, "no_provider", "No card provider is enabled.")
	errCardUnreadable  = errs.New(errs.Invalid, "card", "The card could not be read.")
)

// token checks the card the iframe collected and issues a single-use
// token bound to the business, the amount and the currency.
func (a *App) token(w http.ResponseWriter, r *http.Request) {
	req := tokenRequest{clientAddr: httpx.ClientAddr(r)}
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&req)
	if err != nil {
		err = errTokenUnreadable
	}
	var tok *Token
	if err == nil {
		tok, err = a.checkCard(r.Context(), &req)
	}
	if a.tokenFailed(w, r, err) {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"token": tok.Token, "cardholder_name": tok.CardholderName})
}

// checkCard checks a card with the connection's provider, as one payment
// attempt of the business, and stores the token of its outcome.
func (a *App) checkCard(ctx context.Context, req *tokenRequest) (*Token, error) {
	conn, err := a.data.ConnectionByBusiness(ctx, req.PivotID)
	if err != nil {
		return nil, errNotSetUp
	}
	amount, cur, err := req.Amount.Minor(req.Currency)
	if err != nil || amount <= 0 {
		return nil, errTokenAmount
	}
	p, _, err := a.chargeProvider(ctx, conn)
	if err != nil {
		return nil, errNoCardProvider
	}
	// Checking a card is an attempt: the sandbox decides its outcome now.
	if err := a.pay.TakeBusinessAttempt(ctx, conn.BusinessUID, req.clientAddr); err != nil {
		return nil, tooMany(err, "Too many card attempts. Please wait a few minutes and try again.")
	}
	t := a.now()
	tok := &Token{Token: "tok_" + ids.Token(30), OrganizationID: conn.OrganizationID, SiteID: conn.SiteID,
		BusinessUID: conn.BusinessUID, Amount: amount, Currency: cur.Code, ProviderID: p.ID, ClientID: truncate(req.ClientID, 100),
		SaveCard: req.SaveCard, CreatedAt: t, ExpiresAt: t.Add(tokenLifetime)}
	if p.Type == tenant.ProviderStripe {
		if !strings.HasPrefix(req.PaymentMethod, "pm_") || len(req.PaymentMethod) > 100 {
			return nil, errCardUnreadable
		}
		tok.PaymentMethod = req.PaymentMethod
	} else {
		month, year := provider.ParseExpiry(req.Expiry)
		card, res, err := a.pay.CheckSandboxCard(ctx, req.Number, month, year, req.CVC, req.Name)
		if err != nil {
			return nil, err
		}
		tok.CardBrand, tok.CardLast4, tok.CardholderName = card.Brand(), card.Last4(), card.Name
		if !res.Succeeded {
			tok.OutcomeCode, tok.OutcomeMessage = res.Code, res.Message
		}
	}
	return tok, a.data.CreateToken(ctx, tok)
}

// tokenFailed answers the iframe's card check with {errors: [message]} and the
// status of the error's kind, and reports whether there was an error.
func (a *App) tokenFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	if err == nil {
		return false
	}
	e, ok := errs.As(err)
	if !ok || httpx.StatusOf(e.Kind) == 0 {
		a.pages.Fail(w, r, err)
		return true
	}
	if e.Kind == errs.TooMany {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds()))
	}
	httpx.WriteJSON(w, httpx.StatusOf(e.Kind), map[string]any{"errors": []string{e.Message}})
	return true
}

// tooMany words a limit's refusal for inTandem's pages, keeping when to
// retry; any other error stays as it is.
func tooMany(err error, msg string) error {
	if e, ok := errs.As(err); ok && e.Kind == errs.TooMany {
		return &errs.Error{Kind: errs.TooMany, Code: e.Code, Message: msg, RetryAfter: e.RetryAfter}
	}
	return err
}
