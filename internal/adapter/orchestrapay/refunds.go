package orchestrapay

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/store"
)

type refundRequest struct {
	PaymentIntentSecret json.Number `json:"payment_intent_secret"`
	Amount              json.Number `json:"amount"`
	Currency            string      `json:"currency"`
	WebhookURLs         []string    `json:"webhook_urls"`
	WebhookSecret       string      `json:"webhook_secret"`
	RefundSLATimeout    json.Number `json:"refund_sla_timeout"`
	IdempotencyKey      string      `json:"checkout_intent_idempotency_key"`
}

// refundInput is a refund request that passed its checks.
type refundInput struct {
	paymentID, amount int64
	currency          string
	req               *refundRequest
}

// check reads the request's numbers and reports every problem at once.
func (req *refundRequest) check() (refundInput, []string) {
	in := refundInput{req: req}
	var problems []string
	var err error
	if in.paymentID, err = money.IntegerFromJSON(req.PaymentIntentSecret.String()); err != nil || in.paymentID <= 0 {
		problems = append(problems, "payment_intent_secret must be the integer id of a payment intent")
	}
	if in.amount, err = money.IntegerFromJSON(req.Amount.String()); err != nil || in.amount <= 0 {
		problems = append(problems, "amount must be a positive integer of minor units")
	}
	if cur, err := money.ParseCurrency(req.Currency); err != nil {
		problems = append(problems, "currency must be a 3-letter ISO 4217 code")
	} else {
		in.currency = cur.Code
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
	return in, problems
}

// Refusals of refunds, by Orchestrapay's documented codes (whose message is
// the code).
var (
	errRefundNotSuccessful = refusal("REFUND_TX_MUST_BE_SUCCESSFUL")
	errRefundCurrency      = refusal("REFUND_CCY_MISMATCH")
	errRefundTooMuch       = refusal("REFUND_RQST_AMT_GREATER_THAN_TX_AMT")
	errRefundKeyReused     = errs.New(errs.Conflict, "idempotency_error", "idempotency_key was used for another payment intent")
)

func refusal(code string) *errs.Error { return errs.New(errs.Invalid, code, code) }

func (h *Handler) createRefund(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req refundRequest
	if !decode(w, r, &req) {
		return
	}
	in, problems := req.check()
	if len(problems) > 0 {
		nestError(w, r, http.StatusBadRequest, "validation_error", problems...)
		return
	}
	rf, p, created, err := h.refund(r.Context(), key, in)
	if h.failed(w, r, err, "PAYMENT_INTENT_NOT_FOUND", "payment intent") {
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	httpx.WriteJSON(w, status, refundView(rf, p))
}

// refund refunds a payment intent of the key's organization and mode once
// per idempotency key: a repeated key answers the refund it made (created
// false). A refund the provider refused is recorded as failed.
func (h *Handler) refund(ctx context.Context, key *auth.APIKey, in refundInput) (*Refund, *Payment, bool, error) {
	p, err := h.data.GetPayment(ctx, key.OrganizationID, in.paymentID)
	if err != nil {
		return nil, nil, false, err
	}
	// A payment of the key's other mode is not found.
	c, err := h.store.CheckoutInScope(ctx, store.KeyScope(key), p.CheckoutID)
	if err != nil {
		return nil, nil, false, err
	}
	if in.req.IdempotencyKey != "" {
		if existing, err := h.data.FindRefund(ctx, key.OrganizationID, in.req.IdempotencyKey); err == nil {
			if existing.PaymentUUID != p.UUID {
				return nil, nil, false, errRefundKeyReused
			}
			return existing, p, false, nil
		}
	}
	tx, err := refundable(p, c, in)
	if err != nil {
		return nil, nil, false, err
	}
	urls, _ := json.Marshal(orEmpty(in.req.WebhookURLs))
	t := h.opts.Now()
	claim, created, err := h.data.ClaimRefund(ctx, &Refund{
		UUID: newUUID(), OrganizationID: key.OrganizationID, PaymentUUID: p.UUID, IdempotencyKey: in.req.IdempotencyKey,
		Amount: in.amount, Currency: c.Currency, Status: StatusPending, SubStatus: StatusPending,
		WebhookURLs: string(urls), WebhookSecret: in.req.WebhookSecret, CreatedAt: t, UpdatedAt: t,
	})
	if err != nil || !created {
		return claim, p, false, err
	}
	rf, err := h.pay.Refund(ctx, key.OrganizationID, tx.ID, in.amount)
	if err != nil {
		if serr := h.data.SettleRefund(ctx, claim, p, c, "", false); serr != nil {
			h.log.Error("recording a failed refund", "err", serr)
		}
		return nil, nil, false, err
	}
	return claim, p, true, h.data.SettleRefund(ctx, claim, p, c, rf.ID, true)
}

// refundable is the paid transaction of a payment intent that in may refund.
func refundable(p *Payment, c *checkout.Checkout, in refundInput) (*checkout.Transaction, error) {
	if p.Status != StatusSuccess {
		return nil, errRefundNotSuccessful
	}
	if in.currency != c.Currency {
		return nil, errRefundCurrency
	}
	var tx *checkout.Transaction
	for i := range c.Transactions {
		if c.Transactions[i].Paid() {
			tx = &c.Transactions[i]
		}
	}
	if tx == nil || tx.Status != checkout.TxSucceeded || in.amount > tx.Amount-tx.RefundedAmount {
		return nil, errRefundTooMuch
	}
	return tx, nil
}

func refundView(rf *Refund, p *Payment) map[string]any {
	return map[string]any{
		"uuid": rf.UUID, "id": rf.ID, "status": rf.Status, "sub_status": rf.SubStatus, "amount": rf.Amount,
		"currency": rf.Currency, "payment_intent_secret": p.ID, "transaction_id": p.ID, "created_at": rf.CreatedAt,
	}
}
