// Package buyerapi is main-backend's buyer-facing API (the "runtime API" of
// payment-gateway.app): what a hosted page's scripts or a merchant's own
// payment page call with a sessionPublicId, never with a key.
package buyerapi

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/pgw/pgw/internal/apidoc"
	"github.com/pgw/pgw/internal/bank"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/provider/stripe"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/taxes"
	"github.com/pgw/pgw/internal/tenant"
)

// API is main-backend's runtime API, used by the hosted page's scripts and by
// integrations that build their own payment page. It needs no key: a
// sessionPublicId or transaction id is the caller's capability, and only
// buyer-safe fields are ever returned.
type API struct {
	store   *store.Store
	pay     *payment.Service
	taxes   *taxes.Service
	log     *slog.Logger
	origins []string
}

// NewAPI returns the runtime API. Browsers may call it only from origins.
func NewAPI(s *store.Store, pay *payment.Service, tx *taxes.Service, log *slog.Logger, origins []string) *API {
	return &API{store: s, pay: pay, taxes: tx, log: log, origins: origins}
}

const maxBody = 64 << 10

// Register adds the routes to mux.
func (a *API) Register(mux httpx.Mux) {
	mux.Handle("GET /api/v1/checkouts/{sessionPublicId}", a.cors(a.getCheckout))
	mux.Handle("POST /api/v1/transactions/create", a.cors(a.createTransaction))
	mux.Handle("POST /api/v1/checkouts/{sessionPublicId}/tax-preview", a.cors(a.taxPreview))
	mux.Handle("GET /api/v1/transactions/{id}/status", a.cors(a.transactionStatus))
	mux.Handle("POST /api/v1/transactions/{id}/cancel", a.cors(a.cancelTransaction))
	mux.HandleFunc("POST /hooks/stripe/{providerId}", a.stripeHook)
	mux.Handle("GET /api/v1/openapi.json", apidoc.Document(apidoc.MustRuntime()))
	mux.Handle("OPTIONS /api/v1/", a.cors(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	mux.HandleFunc("/", httpx.Fallback(mux))
}

// cors lets browsers call from the frontend origins only. Requests without an
// Origin (servers, same-origin navigations) pass; a foreign Origin is 403.
func (a *API) cors(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		if o := r.Header.Get("Origin"); o != "" {
			if !slices.Contains(a.origins, o) {
				httpx.WriteError(w, r, http.StatusForbidden, "origin_not_allowed", "this origin may not call the runtime API")
				return
			}
			w.Header().Set("Access-Control-Allow-Origin", o)
			if r.Method == http.MethodOptions {
				w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
				w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Idempotency-Key")
				w.Header().Set("Access-Control-Max-Age", "600")
			}
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		h(w, r)
	})
}

type itemView struct {
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	Quantity    int64       `json:"quantity"`
	UnitPrice   int64       `json:"unitPrice"`
	Amount      int64       `json:"amount"`
	VATRate     json.Number `json:"vatRate,omitempty"`
	VAT         int64       `json:"vat"`
}

type brandingView struct {
	DisplayName  string `json:"displayName"`
	LogoURL      string `json:"logoUrl,omitempty"`
	PrimaryColor string `json:"primaryColor"`
	Font         string `json:"font"`
	CornerStyle  string `json:"cornerStyle"`
}

// checkoutView holds only what the buyer may see: never metadata, URLs for
// notifications, the merchant's client id, or our internal ids.
type checkoutView struct {
	ID        string           `json:"id"`
	Status    checkout.Status  `json:"status"`
	Mode      checkout.Mode    `json:"mode"`
	Currency  string           `json:"currency"`
	Amount    int64            `json:"amount"`
	Reference string           `json:"reference"`
	Locale    string           `json:"locale,omitempty"`
	ExpiresAt time.Time        `json:"expiresAt"`
	Items     []itemView       `json:"items"`
	Totals    totalsView       `json:"totals"`
	Branding  brandingView     `json:"branding"`
	Providers []payment.Method `json:"providers"`
}

type totalsView struct {
	Subtotal    int64 `json:"subtotal"`
	Tax         int64 `json:"tax"`
	Total       int64 `json:"total"`
	TaxIncluded bool  `json:"taxIncluded"`
}

func (a *API) getCheckout(w http.ResponseWriter, r *http.Request) {
	c, err := a.store.GetCheckoutByPublicID(r.Context(), r.PathValue("sessionPublicId"))
	if httpx.Fail(w, r, a.log, err, "checkout") {
		return
	}
	site, err := a.store.SiteOf(r.Context(), c.OrganizationID, c.SiteID)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	totals, err := payment.Totals(c)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	methods, err := a.pay.Methods(r.Context(), c)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	v := checkoutView{
		ID: c.SessionPublicID, Status: c.EffectiveStatus(store.TimeNow()), Mode: c.Mode, Currency: c.Currency,
		Amount: c.Amount, Reference: c.Reference(), Locale: c.Locale, ExpiresAt: c.ExpiresAt,
		Totals:    totalsView{Subtotal: totals.Net, Tax: totals.Tax, Total: totals.Gross, TaxIncluded: true},
		Branding:  brandingOf(site),
		Providers: methods,
	}
	if v.Status != checkout.StatusOpen || v.Providers == nil {
		v.Providers = []payment.Method{}
	}
	for i, it := range c.Items {
		v.Items = append(v.Items, itemView{Name: it.Label(), Description: it.Description, Quantity: it.Quantity,
			UnitPrice: it.UnitPrice, Amount: it.LineTotal(), VATRate: json.Number(it.VATRate), VAT: totals.LineTax[i]})
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}

func brandingOf(s *tenant.Site) brandingView {
	b := s.Branding()
	return brandingView{DisplayName: s.DisplayName, LogoURL: s.LogoURL, PrimaryColor: b.PrimaryColor, Font: b.Font, CornerStyle: b.CornerStyle}
}

type cardInput struct {
	Number   string      `json:"number"`
	ExpMonth json.Number `json:"expMonth"`
	ExpYear  json.Number `json:"expYear"`
	CVC      string      `json:"cvc"`
	Name     string      `json:"name"`
}

type createRequest struct {
	SessionPublicID string            `json:"sessionPublicId"`
	ProviderID      string            `json:"providerId"`
	AttemptKey      string            `json:"attemptKey"`
	BillingAddress  *checkout.Address `json:"billingAddress"`
	// VATID is the buyer's VAT ID, for the tax engine.
	VATID string    `json:"vatId"`
	Card  cardInput `json:"card"`
}

type transactionView struct {
	ID          string            `json:"transactionId"`
	Status      int               `json:"status"`
	StatusName  checkout.TxStatus `json:"statusName"`
	Amount      int64             `json:"amount"`
	Currency    string            `json:"currency"`
	RedirectURL string            `json:"redirectUrl,omitempty"`
	Error       string            `json:"error,omitempty"`
	Code        string            `json:"code,omitempty"`
	RequestID   string            `json:"requestId,omitempty"`
}

func (a *API) createTransaction(w http.ResponseWriter, r *http.Request) {
	req, ok := readCreate(w, r)
	if !ok {
		return
	}
	c, err := a.store.GetCheckoutByPublicID(r.Context(), req.SessionPublicID)
	if httpx.Fail(w, r, a.log, err, "checkout") {
		return
	}
	if p, err := a.store.GetProvider(r.Context(), req.ProviderID); err == nil && p.Type == tenant.ProviderStripe {
		a.startIntent(w, r, c, req.ProviderID, req.AttemptKey, payment.TaxBuyer{Billing: req.BillingAddress, VATID: req.VATID})
		return
	} else if err == nil && p.Type == tenant.ProviderWire {
		a.startTransfer(w, r, c, req)
		return
	}
	month, _ := req.Card.ExpMonth.Int64()
	year, _ := req.Card.ExpYear.Int64()
	res, err := a.pay.Pay(r.Context(), c, payment.Attempt{
		ProviderID: req.ProviderID, AttemptKey: req.AttemptKey, CardNumber: req.Card.Number,
		ExpMonth: int(month), ExpYear: int(year), CVC: req.Card.CVC, CardName: req.Card.Name, Billing: req.BillingAddress, VATID: req.VATID,
		ClientAddr: httpx.ClientAddr(r),
	})
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	status, v := attemptView(res)
	if v.Error != "" {
		v.RequestID = httpx.RequestID(r.Context())
	}
	httpx.WriteJSON(w, status, v)
}

// readCreate decodes a payment attempt, holding the buyer's address to the
// Admin API's rules before anything is written, and answers what is wrong.
func readCreate(w http.ResponseWriter, r *http.Request) (*createRequest, bool) {
	var req createRequest
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		httpx.WriteError(w, r, http.StatusRequestEntityTooLarge, "payload_too_large", "request body is too large")
		return nil, false
	}
	var je *httpx.JSONError
	if err == nil {
		err = httpx.CheckJSON(body, httpx.JSONLimits{MaxArray: 10, MaxDepth: 8, IntegerKeys: map[string]bool{"card.expMonth": true, "card.expYear": true}})
	}
	if errors.As(err, &je) {
		httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", je.Field, je.Error())
		return nil, false
	}
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		httpx.WriteError(w, r, http.StatusBadRequest, "invalid_json", "malformed JSON: "+err.Error())
		return nil, false
	}
	if req.AttemptKey == "" {
		req.AttemptKey = r.Header.Get("Idempotency-Key")
	}
	if len(req.AttemptKey) > 255 {
		httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", "attemptKey", "attemptKey is longer than 255 characters")
		return nil, false
	}
	billing, err := checkout.CheckAddress("billingAddress", req.BillingAddress)
	if e, ok := errs.As(err); ok {
		httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, e.Code, e.Field, e.Message)
		return nil, false
	}
	req.BillingAddress = billing
	return &req, true
}

// attemptView is an attempt's answer and its status.
func attemptView(res *payment.Result) (int, transactionView) {
	v := txView(res.Transaction)
	switch res.Outcome {
	case payment.Paid:
		v.RedirectURL = res.RedirectURL
	case payment.Declined:
		return http.StatusPaymentRequired, withError(v, res.Message, res.Transaction.FailureCode)
	case payment.AlreadyClosed:
		return http.StatusConflict, withError(v, checkout.ErrNotOpen.Message, checkout.ErrNotOpen.Code)
	case payment.Pending:
		return http.StatusAccepted, v
	}
	return http.StatusOK, v
}

func withError(v transactionView, msg, code string) transactionView {
	v.Error, v.Code = msg, code
	return v
}

func txView(t *checkout.Transaction) transactionView {
	return transactionView{ID: t.ID, Status: t.Status.Code(), StatusName: t.Status, Amount: t.Amount, Currency: t.Currency}
}

func (a *API) transactionStatus(w http.ResponseWriter, r *http.Request) {
	t, err := a.store.GetTransactionUnscoped(r.Context(), r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "transaction") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, txView(t))
}

func (a *API) cancelTransaction(w http.ResponseWriter, r *http.Request) {
	t, err := a.pay.Cancel(r.Context(), r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "transaction") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, txView(t))
}

// startIntent answers a Stripe payment's start: the transaction and what the
// page needs to mount the Payment Element. Stripe's webhooks complete it.
func (a *API) startIntent(w http.ResponseWriter, r *http.Request, c *checkout.Checkout, providerID, attemptKey string, buyer payment.TaxBuyer) {
	in, err := a.pay.StartIntent(r.Context(), c, providerID, attemptKey, buyer)
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		transactionView
		ClientSecret   string `json:"clientSecret,omitempty"`
		PublishableKey string `json:"publishableKey"`
	}{txView(in.Transaction), in.ClientSecret, in.PublishableKey})
}

// startTransfer asks for a bank transfer and answers the instructions the
// integration's own page shows: the account, the exact amount, the reference,
// the due date and, for EUR, the EPC QR code's text.
func (a *API) startTransfer(w http.ResponseWriter, r *http.Request, c *checkout.Checkout, req *createRequest) {
	tr, err := a.pay.StartBankTransfer(r.Context(), c, req.ProviderID, req.AttemptKey, httpx.ClientAddr(r),
		payment.TaxBuyer{Billing: req.BillingAddress, VATID: req.VATID})
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	bt, acct := tr.Transfer, tr.Account
	v := transferView{AccountHolder: acct.AccountHolder, BankName: acct.BankName, IBAN: acct.IBAN, BIC: acct.BIC,
		Instructions: acct.Instructions, Reference: bt.Reference, ReferencePrinted: bank.Reference(bt.Reference).Grouped(),
		AmountDue: bt.Balance(), AmountReceived: bt.AmountReceived, DueAt: bt.DueAt}
	if bt.Currency == "EUR" {
		v.EPCPayload, _ = bank.EPC{BIC: acct.BIC, Name: acct.AccountHolder, IBAN: bank.IBAN(acct.IBAN), Cents: bt.Balance(),
			Reference: bank.Reference(bt.Reference)}.Payload()
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		transactionView
		BankTransfer transferView `json:"bankTransfer"`
	}{txView(tr.Transaction), v})
}

type transferView struct {
	AccountHolder    string    `json:"accountHolder"`
	BankName         string    `json:"bankName"`
	IBAN             string    `json:"iban"`
	BIC              string    `json:"bic"`
	Instructions     string    `json:"instructions,omitempty"`
	Reference        string    `json:"reference"`
	ReferencePrinted string    `json:"referencePrinted"`
	AmountDue        int64     `json:"amountDue"`
	AmountReceived   int64     `json:"amountReceived"`
	DueAt            time.Time `json:"dueAt"`
	EPCPayload       string    `json:"epcPayload,omitempty"`
}

// maxHookBody bounds a provider webhook.
const maxHookBody = 1 << 20

// stripeHook takes Stripe's webhooks for one provider. It answers 2xx only
// once the event is durably applied (or was already), 400 for a bad signature
// or a PaymentIntent that is not this provider's, and 500 otherwise so that
// Stripe retries.
func (a *API) stripeHook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHookBody))
	if err != nil {
		httpx.WriteError(w, r, http.StatusRequestEntityTooLarge, "payload_too_large", "webhook body too large")
		return
	}
	err = a.pay.ApplyStripeWebhook(r.Context(), r.PathValue("providerId"), body, r.Header.Get("Stripe-Signature"))
	if errors.Is(err, stripe.ErrSignature) {
		httpx.WriteError(w, r, http.StatusBadRequest, "invalid_signature", "the webhook signature does not verify")
		return
	}
	if !httpx.Fail(w, r, a.log, err, "Stripe provider") {
		httpx.WriteJSON(w, http.StatusOK, map[string]bool{"received": true})
	}
}
