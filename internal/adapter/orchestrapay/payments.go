package orchestrapay

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

// paymentRequest is the body of POST /payment-intents: a gateway and either a
// checkout intent's UUID or the inline fields of a new intent.
type paymentRequest struct {
	intentRequest
	Gateway        string `json:"gateway"`
	CheckoutIntent string `json:"checkout_intent"`
}

func (h *Handler) createPayment(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req paymentRequest
	if !decode(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.Gateway) == "" {
		nestError(w, r, http.StatusBadRequest, "validation_error", "gateway is required")
		return
	}
	var in *Intent
	var c *checkout.Checkout
	var err error
	if req.CheckoutIntent != "" {
		in, err = h.data.GetIntent(r.Context(), key.OrganizationID, req.CheckoutIntent)
		if err == nil {
			// An intent of the key's other mode is not found.
			c, err = h.store.CheckoutInScope(r.Context(), store.KeyScope(key), in.CheckoutID)
		}
		if h.failed(w, r, err, "CHECKOUT_INTENT_NOT_FOUND", "checkout intent") {
			return
		}
	}
	// The gateway is checked before anything is written, also when the
	// intent is made by this request.
	var gw *gateway
	pick := func(c *checkout.Checkout) bool {
		gws, _, err := h.gateways(r, c)
		if err != nil {
			h.internal(w, r, err)
			return false
		}
		for i := range gws {
			if gws[i].ID == req.Gateway || strings.EqualFold(gws[i].Name, req.Gateway) {
				gw = &gws[i]
			}
		}
		if gw == nil {
			nestError(w, r, http.StatusBadRequest, "UNKNOWN_GATEWAY", "gateway must be one of the gateways returned for this checkout intent")
			return false
		}
		return true
	}
	if req.CheckoutIntent != "" {
		if !pick(c) {
			return
		}
	} else {
		var ok bool
		if in, c, _, ok = h.intentFrom(w, r, key, &req.intentRequest, pick); !ok {
			return
		}
	}
	p, err := h.data.CreatePayment(r.Context(), c, gw.ID, time.Duration(in.TimeoutSeconds)*time.Second)
	if h.failed(w, r, err, "", "") {
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, paymentView(p, in, c, c.PaymentURL(h.opts.PaymentBaseURL)))
}

func paymentView(p *Payment, in *Intent, c *checkout.Checkout, url string) map[string]any {
	return map[string]any{
		"uuid": p.UUID, "id": p.ID, "status": p.Status, "sub_status": p.SubStatus, "gateway": p.Gateway,
		"checkout_intent": in.UUID, "checkout_intent_secret": in.Secret, "amount": c.Amount, "currency": c.Currency,
		"payment_url": url, "timeout_at": p.TimeoutAt, "created_at": p.CreatedAt,
	}
}

// refundRequest is the body of POST /refunds.
type refundRequest struct {
	PaymentIntentSecret json.Number `json:"payment_intent_secret"`
	Amount              json.Number `json:"amount"`
	Currency            string      `json:"currency"`
	WebhookURLs         []string    `json:"webhook_urls"`
	WebhookSecret       string      `json:"webhook_secret"`
	RefundSLATimeout    json.Number `json:"refund_sla_timeout"`
	IdempotencyKey      string      `json:"checkout_intent_idempotency_key"`
}

func refundView(rf *Refund, p *Payment) map[string]any {
	return map[string]any{
		"uuid": rf.UUID, "id": rf.ID, "status": rf.Status, "sub_status": rf.SubStatus, "amount": rf.Amount,
		"currency": rf.Currency, "payment_intent_secret": p.ID, "transaction_id": p.ID, "created_at": rf.CreatedAt,
	}
}

func (h *Handler) createRefund(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req refundRequest
	if !decode(w, r, &req) {
		return
	}
	var problems []string
	pid, err := money.IntegerFromJSON(req.PaymentIntentSecret.String())
	if err != nil || pid <= 0 {
		problems = append(problems, "payment_intent_secret must be the integer id of a payment intent")
	}
	amount, err := money.IntegerFromJSON(req.Amount.String())
	if err != nil || amount <= 0 {
		problems = append(problems, "amount must be a positive integer of minor units")
	}
	cur, err := money.ParseCurrency(req.Currency)
	if err != nil {
		problems = append(problems, "currency must be a 3-letter ISO 4217 code")
	}
	for _, u := range req.WebhookURLs {
		if checkout.CheckURL("webhook_urls", u) != nil {
			problems = append(problems, "each of webhook_urls must be an absolute http or https URL")
			break
		}
	}
	if len(req.WebhookURLs) > maxWebhookURLs || len(req.IdempotencyKey) > 255 || len(req.WebhookSecret) > 256 {
		problems = append(problems, "webhook_urls (at most 10), checkout_intent_idempotency_key (255) or webhook_secret (256) too long")
	}
	if len(problems) > 0 {
		nestError(w, r, http.StatusBadRequest, "validation_error", problems...)
		return
	}
	p, err := h.data.GetPayment(r.Context(), key.OrganizationID, pid)
	var c *checkout.Checkout
	if err == nil {
		// A payment of the key's other mode is not found.
		c, err = h.store.CheckoutInScope(r.Context(), store.KeyScope(key), p.CheckoutID)
	}
	if h.failed(w, r, err, "PAYMENT_INTENT_NOT_FOUND", "payment intent") {
		return
	}
	if req.IdempotencyKey != "" {
		if existing, err := h.data.FindRefund(r.Context(), key.OrganizationID, req.IdempotencyKey); err == nil {
			if existing.PaymentUUID != p.UUID {
				nestError(w, r, http.StatusConflict, "idempotency_error", "idempotency_key was used for another payment intent")
				return
			}
			httpx.WriteJSON(w, http.StatusOK, refundView(existing, p))
			return
		}
	}
	if p.Status != StatusSuccess {
		nestError(w, r, http.StatusBadRequest, "REFUND_TX_MUST_BE_SUCCESSFUL", "REFUND_TX_MUST_BE_SUCCESSFUL")
		return
	}
	if cur.Code != c.Currency {
		nestError(w, r, http.StatusBadRequest, "REFUND_CCY_MISMATCH", "REFUND_CCY_MISMATCH")
		return
	}
	var tx *checkout.Transaction
	for i := range c.Transactions {
		if c.Transactions[i].Paid() {
			tx = &c.Transactions[i]
		}
	}
	if tx == nil || tx.Status != checkout.TxSucceeded {
		nestError(w, r, http.StatusBadRequest, "REFUND_RQST_AMT_GREATER_THAN_TX_AMT", "REFUND_RQST_AMT_GREATER_THAN_TX_AMT")
		return
	}
	if amount > tx.Amount-tx.RefundedAmount {
		nestError(w, r, http.StatusBadRequest, "REFUND_RQST_AMT_GREATER_THAN_TX_AMT", "REFUND_RQST_AMT_GREATER_THAN_TX_AMT")
		return
	}
	urls, _ := json.Marshal(orEmpty(req.WebhookURLs))
	t := h.opts.Now()
	claim, created, err := h.data.ClaimRefund(r.Context(), &Refund{
		UUID: newUUID(), OrganizationID: key.OrganizationID, PaymentUUID: p.UUID, IdempotencyKey: req.IdempotencyKey,
		Amount: amount, Currency: c.Currency, Status: StatusPending, SubStatus: StatusPending,
		WebhookURLs: string(urls), WebhookSecret: req.WebhookSecret, CreatedAt: t, UpdatedAt: t,
	})
	if err != nil {
		h.internal(w, r, err)
		return
	}
	if !created {
		httpx.WriteJSON(w, http.StatusOK, refundView(claim, p))
		return
	}
	rf, err := h.pay.Refund(r.Context(), key.OrganizationID, tx.ID, amount)
	if err != nil {
		if serr := h.data.SettleRefund(r.Context(), claim, p, c, "", false); serr != nil {
			h.log.Error("recording a failed refund", "err", serr)
		}
		h.failed(w, r, err, "", "")
		return
	}
	if err := h.data.SettleRefund(r.Context(), claim, p, c, rf.ID, true); err != nil {
		h.internal(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, refundView(claim, p))
}
