package adminapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/risk"
	"github.com/pgw/pgw/internal/tenant"
)

// holdDetail is a customer risk hold as the API lists it.
type holdDetail struct {
	holdView
	Email     string    `json:"email,omitempty"`
	ClientID  string    `json:"clientId,omitempty"`
	DisputeID string    `json:"disputeId,omitempty"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
}

func viewHold(h *risk.Hold) holdDetail {
	allowed := h.Allowed()
	if allowed == nil {
		allowed = []string{}
	}
	return holdDetail{holdView: holdView{ID: h.ID, Action: string(h.Action), Reason: h.Reason, AllowedProviderTypes: allowed},
		Email: h.Email, ClientID: h.ClientID, DisputeID: h.DisputeID, CreatedBy: h.CreatedBy, CreatedAt: h.CreatedAt}
}

// maxHoldTypes bounds allowedProviderTypes.
const maxHoldTypes = 10

type holdRequest struct {
	Email                string   `json:"email"`
	ClientID             string   `json:"clientId"`
	Action               string   `json:"action"`
	AllowedProviderTypes []string `json:"allowedProviderTypes"`
	Reason               string   `json:"reason"`
}

func (a *API) listHolds(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	page, limit := 1, defaultLimit
	if !pageParams(w, r, &page, &limit) {
		return
	}
	hs, total, err := a.store.ListHolds(r.Context(), key.OrganizationID, r.URL.Query().Get("email"), page, limit)
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	out := make([]holdDetail, 0, len(hs))
	for _, h := range hs {
		out = append(out, viewHold(h))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out, "page": page, "limit": limit, "total": total,
		"hasMore": page*limit < total})
}

func (a *API) createHold(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req holdRequest
	if !readJSON(w, r, &req) {
		return
	}
	if len(req.AllowedProviderTypes) > maxHoldTypes {
		httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "allowedProviderTypes", "at most 10 provider types")
		return
	}
	h := &risk.Hold{ID: ids.New("hold"), OrganizationID: key.OrganizationID, Email: risk.NormalizeEmail(req.Email),
		ClientID: strings.TrimSpace(req.ClientID), Action: risk.Action(req.Action),
		AllowedProviderTypes: strings.Join(req.AllowedProviderTypes, " "), Reason: strings.TrimSpace(req.Reason),
		CreatedBy: "api:" + key.ID, CreatedAt: a.opts.Now()}
	if err := risk.CheckHold(h, tenant.ProviderTypes); httpx.Fail(w, r, a.log, err, "") {
		return
	}
	if err := a.store.CreateHold(r.Context(), h); httpx.Fail(w, r, a.log, err, "") {
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, viewHold(h))
}

func (a *API) deleteHold(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if httpx.Fail(w, r, a.log, a.store.DeleteHold(r.Context(), key.OrganizationID, r.PathValue("id")), "customer risk hold") {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
