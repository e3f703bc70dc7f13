package adminapi

import (
	"errors"
	"net/http"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
)

// failed renders a handler's error in the Admin API's envelope, and reports
// whether there was one: each domain error by its stable code and status
// (what names the object a not-found refers to), anything else as 500, or
// 499 when the client went away.
func (a *API) failed(w http.ResponseWriter, r *http.Request, err error, what string) bool {
	var ve *checkout.Error
	switch {
	case err == nil:
		return false
	case errors.As(err, &ve):
		httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, ve.Code, ve.Field, ve.Message)
	case errors.Is(err, errs.ErrNotFound):
		httpx.WriteError(w, r, http.StatusNotFound, "not_found", what+" not found")
	case errors.Is(err, checkout.ErrNotOpen):
		httpx.WriteError(w, r, http.StatusConflict, "checkout_not_open", "this checkout is no longer open: it was paid, expired or canceled")
	case errors.Is(err, store.ErrDeliveryInFlight):
		httpx.WriteError(w, r, http.StatusConflict, "delivery_in_flight", err.Error())
	case errors.Is(err, store.ErrNotRefundable):
		httpx.WriteError(w, r, http.StatusConflict, "not_refundable", err.Error())
	case errors.Is(err, store.ErrRefundTooMuch):
		httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "refund_exceeds_captured", "amount", err.Error())
	case errors.Is(err, payment.ErrProvider):
		httpx.WriteError(w, r, http.StatusBadGateway, "provider_error", "the payment provider refused or could not be reached; nothing was changed")
	default:
		httpx.Internal(w, r, a.log, err)
	}
	return true
}
