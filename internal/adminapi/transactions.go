package adminapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/store"
)

type refundView struct {
	ID        string    `json:"id"`
	Amount    int64     `json:"amount"`
	Currency  string    `json:"currency"`
	Status    string    `json:"status"`
	Failure   string    `json:"failure,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

type transactionDetail struct {
	transactionView
	CheckoutID     string       `json:"checkoutId"`
	RefundedAmount int64        `json:"refundedAmount"`
	CardBrand      string       `json:"cardBrand,omitempty"`
	CardLast4      string       `json:"cardLast4,omitempty"`
	FailureCode    string       `json:"failureCode,omitempty"`
	FailureMessage string       `json:"failureMessage,omitempty"`
	Flag           string       `json:"flag,omitempty"`
	Refunds        []refundView `json:"refunds"`
	// BankTransfer is the transfer of a bank transfer payment.
	BankTransfer *transferView `json:"bankTransfer,omitempty"`
	*taxTotals
}

func (a *API) transactionDetail(r *http.Request, t *checkout.Transaction) (transactionDetail, error) {
	rs, err := a.store.ListRefunds(r.Context(), t.ID)
	if err != nil {
		return transactionDetail{}, err
	}
	v := transactionDetail{transactionView: viewTransaction(t), CheckoutID: t.CheckoutID, RefundedAmount: t.RefundedAmount,
		CardBrand: t.CardBrand, CardLast4: t.CardLast4, FailureCode: t.FailureCode, FailureMessage: t.FailureMessage,
		Flag: t.Flag, Refunds: []refundView{}}
	for _, rf := range rs {
		v.Refunds = append(v.Refunds, refundView{ID: rf.ID, Amount: rf.Amount, Currency: rf.Currency, Status: rf.Status,
			Failure: rf.Failure, CreatedAt: rf.CreatedAt})
	}
	tt, _, err := a.store.TransactionTaxOf(r.Context(), t.ID)
	if err != nil || tt == nil {
		return v, err
	}
	lines, err := tt.DecodedLines()
	v.taxTotals = totalsOf(tt.Subtotal, tt.Tax, tt.Total, lines)
	return v, err
}

func (a *API) getTransaction(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	t, err := a.store.TransactionInScope(r.Context(), store.KeyScope(key), r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "transaction") {
		return
	}
	v, err := a.transactionDetail(r, t)
	if err == nil {
		v.BankTransfer, err = a.transferDetail(r, key, t.ID)
	}
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}

// refund takes {"amount": minor units} (everything left when absent).
func (a *API) refund(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req struct {
		Amount json.Number `json:"amount"`
	}
	if len(body) > 0 && !decodeJSON(w, r, body, &req) {
		return
	}
	var amount int64
	if req.Amount != "" {
		v, err := money.IntegerFromJSON(req.Amount.String())
		if err != nil || v <= 0 {
			httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "amount", "amount must be a positive whole number of minor units")
			return
		}
		amount = v
	}
	// A transaction's mode never changes, so the check holds for the refund.
	if _, err := a.store.TransactionInScope(r.Context(), store.KeyScope(key), r.PathValue("id")); httpx.Fail(w, r, a.log, err, "transaction") {
		return
	}
	rf, err := a.pay.Refund(r.Context(), key.OrganizationID, r.PathValue("id"), amount)
	if httpx.Fail(w, r, a.log, err, "transaction") {
		return
	}
	t, err := a.store.GetTransaction(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	v, err := a.transactionDetail(r, t)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"refund": refundView{ID: rf.ID, Amount: rf.Amount, Currency: rf.Currency,
		Status: rf.Status, CreatedAt: rf.CreatedAt}, "transaction": v})
}

// listTransactions answers a page of the key's transactions, newest first,
// filtered by status, currency, from and to (RFC 3339, creation), siteId,
// providerId and clientId.
func (a *API) listTransactions(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	q := r.URL.Query()
	f := store.TransactionFilter{OrganizationID: key.OrganizationID, Mode: key.Mode, Status: checkout.TxStatus(q.Get("status")),
		Currency: strings.ToUpper(q.Get("currency")), SiteID: q.Get("siteId"), ProviderID: q.Get("providerId"),
		ClientID: q.Get("clientId"), Page: 1, Limit: defaultLimit}
	if f.Status != "" && !f.Status.Valid() {
		httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", "status",
			"status must be initiated, pending_provider, succeeded, failed, cancelled, refunded or chargeback")
		return
	}
	if _, err := money.ParseCurrency(f.Currency); f.Currency != "" && err != nil {
		httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", "currency", "currency must be an ISO 4217 code")
		return
	}
	for name, v := range map[string]string{"siteId": f.SiteID, "providerId": f.ProviderID, "clientId": f.ClientID} {
		if len(v) > 255 {
			httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", name, name+" is longer than 255 characters")
			return
		}
	}
	if !pageParams(w, r, &f.Page, &f.Limit) {
		return
	}
	if !timeParams(w, r, map[string]*time.Time{"from": &f.From, "to": &f.To}) {
		return
	}
	list, total, err := a.store.ListTransactions(r.Context(), f)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, newPage(list, viewTransaction, f.Page, f.Limit, total))
}

// listRefunds answers a transaction's refunds, oldest first.
func (a *API) listRefunds(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	t, err := a.store.TransactionInScope(r.Context(), store.KeyScope(key), r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "transaction") {
		return
	}
	rs, err := a.store.ListRefunds(r.Context(), t.ID)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	out := make([]refundView, 0, len(rs))
	for _, rf := range rs {
		out = append(out, refundView{ID: rf.ID, Amount: rf.Amount, Currency: rf.Currency, Status: rf.Status, Failure: rf.Failure, CreatedAt: rf.CreatedAt})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out})
}
