package adminapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/taxes"
)

// createResponse is the answer of create-checkout: the original's four fields
// and ours after them.
type createResponse struct {
	ID              string          `json:"id"`
	SessionPublicID string          `json:"sessionPublicId"`
	ShortCode       string          `json:"shortCode"`
	PaymentURL      string          `json:"paymentUrl"`
	Status          checkout.Status `json:"status"`
	ExpiresAt       time.Time       `json:"expiresAt"`
	Amount          int64           `json:"amount"`
	Currency        string          `json:"currency"`
}

func (a *API) createCheckout(w http.ResponseWriter, r *http.Request, key *auth.APIKey, claim *idemClaim) {
	site, err := a.store.GetSite(r.Context(), key.OrganizationID, r.PathValue("siteId"))
	if errors.Is(err, errs.ErrNotFound) {
		httpx.WriteError(w, r, http.StatusNotFound, "not_found", "site not found")
		return
	}
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req checkout.CreateRequest
	if !decodeJSON(w, r, body, &req) {
		return
	}
	c, err := a.checkouts.Build(checkouts.Input{Request: &req, Site: site, Mode: key.Mode, Source: checkout.SourceAPI})
	if err != nil {
		httpx.Fail(w, r, a.log, err, "")
		return
	}
	resp, err := json.Marshal(createResponse{
		ID: c.ID, SessionPublicID: c.SessionPublicID, ShortCode: c.ShortCode,
		PaymentURL: c.PaymentURL(a.pages.Base(r.Context(), site.ID)), Status: c.Status, ExpiresAt: c.ExpiresAt,
		Amount: c.Amount, Currency: c.Currency,
	})
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	err = a.checkouts.Create(r.Context(), c, claim.completion(http.StatusOK, resp))
	if writeRefusal(w, r, err) || httpx.Fail(w, r, a.log, err, "") {
		return
	}
	httpx.WriteRaw(w, http.StatusOK, resp)
}

func (a *API) getCheckout(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	c, err := a.store.CheckoutInScope(r.Context(), store.KeyScope(key), r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "checkout") {
		return
	}
	v := a.views(r.Context(), c)(c)
	for _, t := range c.Transactions {
		if !t.Paid() && t.Status != checkout.TxChargeback {
			continue
		}
		tt, _, err := a.store.TransactionTaxOf(r.Context(), t.ID)
		if httpx.Fail(w, r, a.log, err, "") {
			return
		}
		if tt != nil {
			lines, err := tt.DecodedLines()
			if httpx.Fail(w, r, a.log, err, "") {
				return
			}
			v.taxTotals = totalsOf(tt.Subtotal, tt.Tax, tt.Total, lines)
		}
	}
	// Not paid yet: what its billing details would be charged.
	if tx := a.pay.Taxes(); v.taxTotals == nil && tx != nil && c.BillingAddress != nil && c.BillingAddress.Country != "" &&
		(c.Source == checkout.SourceAPI || c.Source == checkout.SourceDashboard) {
		q, err := tx.Decide(r.Context(), c, taxes.Buyer{Billing: c.BillingAddress, Shipping: c.ShippingAddress})
		if err == nil {
			v.taxTotals = totalsOf(q.Decision.Subtotal, q.Decision.Tax, q.Decision.Total, q.Decision.Lines)
		} else if e, ok := errs.As(err); !ok || e.Kind == errs.Internal {
			httpx.Internal(w, r, a.log, err)
			return
		}
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}

// closeCheckout expires or cancels an open checkout of the key's scope. A
// payment in flight either wins (the checkout is complete: 409) or its open
// PaymentIntents are canceled; money that still arrives is recorded and flagged.
func (a *API) closeCheckout(to checkout.Status) handler {
	return func(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
		// A checkout's mode never changes, so the check holds for the change.
		c, err := a.store.CheckoutInScope(r.Context(), store.KeyScope(key), r.PathValue("id"))
		if err == nil {
			c, err = a.checkouts.Close(r.Context(), key.OrganizationID, c.ID, to)
		}
		if errors.Is(err, checkouts.ErrIntentsLeftOpen) {
			a.log.Warn("closing a checkout", "err", err, "checkout", c.ID, "status", to)
			err = nil
		}
		if httpx.Fail(w, r, a.log, err, "checkout") {
			return
		}
		httpx.WriteJSON(w, http.StatusOK, a.views(r.Context(), c)(c))
	}
}

// List pagination bounds.
const (
	defaultLimit = 50
	maxLimit     = 100
)

type listResponse[T any] struct {
	Data    []T  `json:"data"`
	Page    int  `json:"page"`
	Limit   int  `json:"limit"`
	Total   int  `json:"total"`
	HasMore bool `json:"hasMore"`
}

func (a *API) listCheckouts(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	q := r.URL.Query()
	f := store.CheckoutFilter{
		OrganizationID:    key.OrganizationID,
		Mode:              key.Mode,
		SiteID:            q.Get("siteId"),
		Status:            checkout.Status(q.Get("status")),
		ExternalReference: q.Get("externalReference"),
		Page:              1,
		Limit:             defaultLimit,
	}
	if f.Status != "" && !f.Status.Valid() {
		httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", "status", "status must be open, complete, expired or canceled")
		return
	}
	if !pageParams(w, r, &f.Page, &f.Limit) {
		return
	}
	if !timeParams(w, r, map[string]*time.Time{"from": &f.CreatedFrom, "createdFrom": &f.CreatedFrom,
		"to": &f.CreatedTo, "createdTo": &f.CreatedTo}) {
		return
	}
	list, total, err := a.store.ListCheckouts(r.Context(), f)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, newPage(list, a.views(r.Context(), list...), f.Page, f.Limit, total))
}

// newPage is one page of list in the API's list envelope, each item through view.
func newPage[S, T any](list []S, view func(S) T, page, limit, total int) listResponse[T] {
	resp := listResponse[T]{Data: make([]T, 0, len(list)), Page: page, Limit: limit, Total: total, HasMore: page*limit < total}
	for _, s := range list {
		resp.Data = append(resp.Data, view(s))
	}
	return resp
}

// timeParams reads the RFC 3339 query parameters named into their times,
// answering 400 itself for a bad one.
func timeParams(w http.ResponseWriter, r *http.Request, params map[string]*time.Time) bool {
	for name, dst := range params {
		if v := r.URL.Query().Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", name, name+" must be an RFC 3339 time")
				return false
			}
			*dst = t
		}
	}
	return true
}

// pageParams reads page (from 1) and limit (1 to 100) into page and limit,
// answering 400 itself for bad values.
func pageParams(w http.ResponseWriter, r *http.Request, page, limit *int) bool {
	for _, p := range []struct {
		name string
		dst  *int
		max  int
	}{{"page", page, 1 << 20}, {"limit", limit, maxLimit}} {
		if v := r.URL.Query().Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > p.max {
				httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", p.name,
					p.name+" must be a whole number from 1 to "+strconv.Itoa(p.max))
				return false
			}
			*p.dst = n
		}
	}
	return true
}
