package adminapi

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/bank"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/plaintext"
	"github.com/pgw/pgw/internal/statement"
	"github.com/pgw/pgw/internal/store"
)

// maxStatement bounds an uploaded bank statement (a month of a busy
// account's camt.053 fits many times over).
const maxStatement = 8 << 20

type receiptView struct {
	ID            string    `json:"id"`
	Source        string    `json:"source"`
	Status        string    `json:"status"`
	Reason        string    `json:"reason,omitempty"`
	TransactionID string    `json:"transactionId,omitempty"`
	StatementID   string    `json:"statementId,omitempty"`
	Amount        int64     `json:"amount"`
	Currency      string    `json:"currency"`
	ReceivedAt    time.Time `json:"receivedAt"`
	BankReference string    `json:"bankReference,omitempty"`
	Remittance    string    `json:"remittance,omitempty"`
	Counterparty  string    `json:"counterparty,omitempty"`
	Note          string    `json:"note,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
}

func viewReceipt(r *store.BankReceipt) receiptView {
	return receiptView{ID: r.ID, Source: r.Source, Status: r.Status, Reason: r.Reason, TransactionID: r.TransactionID,
		StatementID: r.StatementID, Amount: r.Amount, Currency: r.Currency, ReceivedAt: r.ReceivedAt, BankReference: r.BankReference,
		Remittance: r.Remittance, Counterparty: r.Counterparty, Note: r.Note, CreatedAt: r.CreatedAt}
}

type transferView struct {
	TransactionID    string        `json:"transactionId"`
	Reference        string        `json:"reference"`
	ReferenceGrouped string        `json:"referencePrinted"`
	Amount           int64         `json:"amount"`
	Currency         string        `json:"currency"`
	AmountReceived   int64         `json:"amountReceived"`
	AmountDue        int64         `json:"amountDue"`
	Overpaid         bool          `json:"overpaid"`
	Excess           int64         `json:"excess"`
	ExcessResolution string        `json:"excessResolution,omitempty"`
	ExcessNote       string        `json:"excessNote,omitempty"`
	Late             bool          `json:"late"`
	DueAt            time.Time     `json:"dueAt"`
	Receipts         []receiptView `json:"receipts,omitempty"`
}

func viewTransfer(bt *store.BankTransfer, rs []*store.BankReceipt) *transferView {
	v := &transferView{TransactionID: bt.TransactionID, Reference: bt.Reference, ReferenceGrouped: bank.Reference(bt.Reference).Grouped(),
		Amount: bt.Amount, Currency: bt.Currency, AmountReceived: bt.AmountReceived, AmountDue: bt.Balance(), Overpaid: bt.Excess > 0,
		Excess: bt.Excess, ExcessResolution: bt.ExcessResolution, ExcessNote: bt.ExcessNote, Late: bt.Late, DueAt: bt.DueAt}
	for _, r := range rs {
		v.Receipts = append(v.Receipts, viewReceipt(r))
	}
	return v
}

// transferDetail is a transaction's bank transfer with its receipts, or nil
// for another kind of payment.
func (a *API) transferDetail(r *http.Request, key *auth.APIKey, txID string) (*transferView, error) {
	bt, err := a.store.TransferOf(r.Context(), txID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rs, err := a.store.ListReceipts(r.Context(), store.ReceiptFilter{OrganizationID: key.OrganizationID, Mode: key.Mode, TransactionID: txID})
	if err != nil {
		return nil, err
	}
	return viewTransfer(bt, rs), nil
}

func (a *API) getBankTransfer(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	t, err := a.store.TransactionInScope(r.Context(), store.KeyScope(key), r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "transaction") {
		return
	}
	v, err := a.transferDetail(r, key, t.ID)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	if v == nil {
		httpx.Fail(w, r, a.log, store.ErrNotBankTransfer, "")
		return
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}

// markPaid takes {amount, currency?, receivedAt?, bankReference?, note?}:
// money the operator saw arrive for a bank transfer.
func (a *API) markPaid(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req struct {
		Amount        json.Number `json:"amount"`
		Currency      string      `json:"currency"`
		ReceivedAt    string      `json:"receivedAt"`
		BankReference string      `json:"bankReference"`
		Note          string      `json:"note"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	t, err := a.store.TransactionInScope(r.Context(), store.KeyScope(key), r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "transaction") {
		return
	}
	m := payment.Money{Currency: strings.ToUpper(strings.TrimSpace(req.Currency)), BankReference: req.BankReference, Note: req.Note}
	if m.Currency == "" {
		m.Currency = t.Currency
	}
	amount, aerr := money.IntegerFromJSON(req.Amount.String())
	_, cerr := money.ParseCurrency(m.Currency)
	var terr error
	if req.ReceivedAt != "" {
		m.ReceivedAt, terr = time.Parse(time.RFC3339, req.ReceivedAt)
	}
	field, msg := "", ""
	switch {
	case aerr != nil || amount <= 0:
		field, msg = "amount", "amount must be a positive whole number of minor units"
	case len(m.BankReference) > 140 || !plaintext.Valid(m.BankReference):
		field, msg = "bankReference", "bankReference is the bank's reference of the entry, one line of at most 140 characters"
	case !noteValid(m.Note, false):
		field, msg = "note", "note is at most 500 characters"
	case cerr != nil:
		field, msg = "currency", "currency must be an ISO 4217 code"
	case terr != nil || m.ReceivedAt.After(a.opts.Now().Add(24*time.Hour)):
		field, msg = "receivedAt", "receivedAt is when the money arrived, an RFC 3339 time not in the future"
	}
	if field != "" {
		httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", field, msg)
		return
	}
	m.Amount = amount
	rec, err := a.pay.MarkPaid(r.Context(), key.OrganizationID, key.Mode, t.ID, m)
	if httpx.Fail(w, r, a.log, err, "transaction") {
		return
	}
	a.answerReceipt(w, r, key, rec, http.StatusOK)
}

// answerReceipt answers with what money did: the result, the receipt and the
// transaction with its transfer.
func (a *API) answerReceipt(w http.ResponseWriter, r *http.Request, key *auth.APIKey, rec *store.Receipt, status int) {
	out := map[string]any{"result": rec.Result, "receipt": viewReceipt(rec.Receipt)}
	if id := rec.Receipt.TransactionID; id != "" {
		t, err := a.store.GetTransaction(r.Context(), key.OrganizationID, id)
		if err != nil {
			httpx.Internal(w, r, a.log, err)
			return
		}
		v, err := a.transactionDetail(r, t)
		if err == nil {
			v.BankTransfer, err = a.transferDetail(r, key, id)
		}
		if err != nil {
			httpx.Internal(w, r, a.log, err)
			return
		}
		out["transaction"] = v
	}
	httpx.WriteJSON(w, status, out)
}

// resolveExcess takes {resolution: refunded|kept, note}: what the operator
// did with money received beyond the amount.
func (a *API) resolveExcess(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req struct {
		Resolution string `json:"resolution"`
		Note       string `json:"note"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if req.Resolution != store.ExcessRefunded && req.Resolution != store.ExcessKept {
		httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "resolution", "resolution must be refunded or kept")
		return
	}
	if !noteOK(w, r, req.Note, false) {
		return
	}
	t, err := a.store.TransactionInScope(r.Context(), store.KeyScope(key), r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "transaction") {
		return
	}
	bt, err := a.store.ResolveExcess(r.Context(), key.OrganizationID, key.Mode, t.ID, req.Resolution, strings.TrimSpace(req.Note))
	if httpx.Fail(w, r, a.log, err, "transaction") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, viewTransfer(bt, nil))
}

// uploadStatement takes a camt.053 or CSV statement, as a multipart upload
// (field "file") or the raw body, and applies its credits.
func (a *API) uploadStatement(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	data, filename, ok := a.statementBody(w, r)
	if !ok {
		return
	}
	// A statement that cannot be read is Invalid in the shared model (422,
	// with its code), and nothing of it was applied.
	res, err := a.pay.ApplyStatement(r.Context(), key.OrganizationID, key.Mode, filename, data)
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	st := res.Statement
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"id": st.ID, "format": st.Format, "filename": st.Filename,
		"entriesRead": st.EntriesRead, "skipped": st.Skipped, "matched": st.Matched, "alreadyApplied": st.AlreadyApplied,
		"unmatched": st.Unmatched, "entries": res.Entries})
}

// statementBody reads the statement: the multipart field "file", or the body.
func (a *API) statementBody(w http.ResponseWriter, r *http.Request) ([]byte, string, bool) {
	body, ok := readBody(w, r)
	if !ok {
		return nil, "", false
	}
	filename := r.URL.Query().Get("filename")
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		mr := multipart.NewReader(strings.NewReader(string(body)), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", "file", "send the statement in the multipart field \"file\"")
				return nil, "", false
			}
			if p.FormName() == "file" {
				b, err := io.ReadAll(p)
				if err != nil {
					httpx.WriteError(w, r, http.StatusBadRequest, "invalid_request", "the multipart upload could not be read")
					return nil, "", false
				}
				body, filename = b, p.FileName()
				break
			}
		}
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		httpx.WriteError(w, r, http.StatusBadRequest, "invalid_request", "the statement is empty")
		return nil, "", false
	}
	if len(filename) > 200 || !utf8.ValidString(filename) {
		filename = ""
	}
	return body, filename, true
}

func (a *API) listStatements(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	sts, err := a.store.ListStatements(r.Context(), key.OrganizationID, key.Mode, 100)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	out := make([]map[string]any, 0, len(sts))
	for _, st := range sts {
		out = append(out, map[string]any{"id": st.ID, "format": st.Format, "filename": st.Filename, "entriesRead": st.EntriesRead,
			"skipped": st.Skipped, "matched": st.Matched, "alreadyApplied": st.AlreadyApplied, "unmatched": st.Unmatched, "uploadedAt": st.UploadedAt})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out})
}

func (a *API) getCSVProfile(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	p, err := a.store.CSVProfile(r.Context(), key.OrganizationID)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	if p == nil {
		httpx.WriteError(w, r, http.StatusNotFound, "not_found", "no CSV profile saved yet")
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

func (a *API) putCSVProfile(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var p statement.Profile
	if !readJSON(w, r, &p) {
		return
	}
	if field, err := p.Check(); err != nil {
		httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", field, err.Error())
		return
	}
	p.DefaultCurrency = strings.ToUpper(p.DefaultCurrency)
	if err := a.store.SaveCSVProfile(r.Context(), key.OrganizationID, &p); err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

func (a *API) listReceipts(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	status := r.URL.Query().Get("status")
	if status != "" && status != store.ReceiptApplied && status != store.ReceiptUnmatched && status != store.ReceiptDismissed {
		httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", "status", "status must be applied, unmatched or dismissed")
		return
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", "limit", "limit must be 1 to 500")
			return
		}
		limit = n
	}
	rs, err := a.store.ListReceipts(r.Context(), store.ReceiptFilter{OrganizationID: key.OrganizationID, Mode: key.Mode, Status: status, Limit: limit})
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	out := make([]receiptView, 0, len(rs))
	for _, rc := range rs {
		out = append(out, viewReceipt(rc))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out})
}

// assignReceipt takes {transactionId, note}: an unmatched credit applied to
// the bank transfer the operator recognised.
func (a *API) assignReceipt(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req struct {
		TransactionID string `json:"transactionId"`
		Note          string `json:"note"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if !noteOK(w, r, req.Note, false) {
		return
	}
	if _, err := a.store.TransactionInScope(r.Context(), store.KeyScope(key), req.TransactionID); err != nil {
		if errors.Is(err, errs.ErrNotFound) {
			httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "transactionId", "transactionId names no transaction of this key")
			return
		}
		httpx.Internal(w, r, a.log, err)
		return
	}
	rec, err := a.store.AssignReceipt(r.Context(), key.OrganizationID, key.Mode, r.PathValue("id"), req.TransactionID, strings.TrimSpace(req.Note))
	if httpx.Fail(w, r, a.log, err, "bank receipt") {
		return
	}
	a.answerReceipt(w, r, key, rec, http.StatusOK)
}

// dismissReceipt takes {note}: an unmatched credit that was no payment.
func (a *API) dismissReceipt(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req struct {
		Note string `json:"note"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if !noteOK(w, r, req.Note, true) {
		return
	}
	rc, err := a.store.DismissReceipt(r.Context(), key.OrganizationID, key.Mode, r.PathValue("id"), strings.TrimSpace(req.Note))
	if httpx.Fail(w, r, a.log, err, "bank receipt") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, viewReceipt(rc))
}

func (a *API) transfersNeedingAttention(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	bts, err := a.store.TransfersNeedingAttention(r.Context(), key.OrganizationID, key.Mode, 200)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	out := make([]*transferView, 0, len(bts))
	for _, bt := range bts {
		out = append(out, viewTransfer(bt, nil))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out})
}

// noteValid reports whether an operator's note is at most 500 bytes of
// UTF-8 (and not blank when required).
func noteValid(note string, required bool) bool {
	return len(note) <= 500 && utf8.ValidString(note) && (!required || strings.TrimSpace(note) != "")
}

// noteOK answers 422 for a note that is not valid.
func noteOK(w http.ResponseWriter, r *http.Request, note string, required bool) bool {
	if noteValid(note, required) {
		return true
	}
	msg := "note is at most 500 characters"
	if required {
		msg = "say in a note (at most 500 characters) what the money was"
	}
	httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "note", msg)
	return false
}
