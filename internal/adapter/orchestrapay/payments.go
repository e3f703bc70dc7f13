package orchestrapay

import (
	"net/http"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/httpx"
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
	httpx.WriteJSON(w, http.StatusCreated, paymentView(p, in, c, c.PaymentURL(h.pages.Base(r.Context(), c.SiteID))))
}

func paymentView(p *Payment, in *Intent, c *checkout.Checkout, url string) map[string]any {
	return map[string]any{
		"uuid": p.UUID, "id": p.ID, "status": p.Status, "sub_status": p.SubStatus, "gateway": p.Gateway,
		"checkout_intent": in.UUID, "checkout_intent_secret": in.Secret, "amount": c.Amount, "currency": c.Currency,
		"payment_url": url, "timeout_at": p.TimeoutAt, "created_at": p.CreatedAt,
	}
}

// refundRequest is the body of POST /refunds.
