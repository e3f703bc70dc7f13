package adminapi

import (
	"net/http"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/dispute"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/store"
)

// disputeView is a dispute as the API shows it.
type disputeView struct {
	ID                string         `json:"id"`
	TransactionID     string         `json:"transactionId"`
	Status            dispute.Status `json:"status"`
	Amount            int64          `json:"amount"`
	Currency          string         `json:"currency"`
	Reason            string         `json:"reason"`
	ProviderDisputeID string         `json:"providerDisputeId,omitempty"`
	OpenedAt          time.Time      `json:"openedAt"`
	ClosedAt          *time.Time     `json:"closedAt,omitempty"`
	UpdatedAt         time.Time      `json:"updatedAt"`
}

func viewDispute(d *dispute.Dispute) disputeView {
	v := disputeView{ID: d.ID, TransactionID: d.TransactionID, Status: d.Status, Amount: d.Amount, Currency: d.Currency,
		Reason: d.Reason, ProviderDisputeID: d.ProviderDisputeID, OpenedAt: d.OpenedAt, UpdatedAt: d.UpdatedAt}
	if !d.ClosedAt.IsZero() {
		t := d.ClosedAt
		v.ClosedAt = &t
	}
	return v
}

// disputeRequest opens a dispute (amount defaults to the payment's, status to
// open) or moves one on (status required).
type disputeRequest struct {
	Amount *int64          `json:"amount"`
	Reason string          `json:"reason"`
	Status *dispute.Status `json:"status"`
}

func (a *API) listDisputes(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	t, err := a.store.TransactionInScope(r.Context(), store.KeyScope(key), r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "transaction") {
		return
	}
	ds, err := a.store.ListDisputes(r.Context(), key.OrganizationID, t.ID)
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	out := make([]disputeView, 0, len(ds))
	for _, d := range ds {
		out = append(out, viewDispute(d))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out})
}

func (a *API) openDispute(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req disputeRequest
	if !readJSON(w, r, &req) {
		return
	}
	t, err := a.store.TransactionInScope(r.Context(), store.KeyScope(key), r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "transaction") {
		return
	}
	ch := store.DisputeChange{Status: dispute.Open, Reason: req.Reason}
	if req.Amount != nil {
		if ch.Amount = *req.Amount; ch.Amount <= 0 {
			httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "amount", "amount must be a positive number of minor units")
			return
		}
	}
	if req.Status != nil {
		ch.Status = *req.Status
	}
	d, err := a.pay.OpenDispute(r.Context(), key.OrganizationID, t.ID, ch)
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, viewDispute(d))
}

// changeDispute also serves payment-gateway.app's
// PATCH /api/v1/transactions/{id}/chargeback/{chargebackId}.
func (a *API) changeDispute(param string) handler {
	return func(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
		var req disputeRequest
		if !readJSON(w, r, &req) {
			return
		}
		if req.Status == nil || req.Amount != nil {
			httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "status",
				"send the new status (open, under_review, won, lost or accepted) and optionally a reason; the amount cannot change")
			return
		}
		t, err := a.store.TransactionInScope(r.Context(), store.KeyScope(key), r.PathValue("id"))
		if httpx.Fail(w, r, a.log, err, "transaction") {
			return
		}
		d, err := a.pay.ChangeDispute(r.Context(), key.OrganizationID, t.ID, r.PathValue(param),
			store.DisputeChange{Status: *req.Status, Reason: req.Reason})
		if httpx.Fail(w, r, a.log, err, "dispute") {
			return
		}
		httpx.WriteJSON(w, http.StatusOK, viewDispute(d))
	}
}
