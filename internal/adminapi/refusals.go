package adminapi

import (
	"errors"
	"net/http"

	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/risk"
)

// holdView is a customer risk hold as a refusal names it.
type holdView struct {
	ID                   string   `json:"id"`
	Action               string   `json:"action"`
	Reason               string   `json:"reason"`
	AllowedProviderTypes []string `json:"allowedProviderTypes"`
}

// refusalBody is a checkout refused for a customer's hold or dispute, as the
// official plugins read it: the code, the hold, and the same facts flat.
type refusalBody struct {
	Error                string    `json:"error"`
	Code                 string    `json:"code"`
	RequestID            string    `json:"requestId"`
	CustomerRiskHold     *holdView `json:"customerRiskHold,omitempty"`
	CustomerRiskHoldID   string    `json:"customerRiskHoldId,omitempty"`
	CustomerRiskAction   string    `json:"customerRiskAction,omitempty"`
	CustomerRiskReason   string    `json:"customerRiskReason,omitempty"`
	AllowedProviderTypes []string  `json:"allowedProviderTypes,omitempty"`
}

// writeRefusal answers a *risk.Refusal with 403 and reports whether err was
// one.
func writeRefusal(w http.ResponseWriter, r *http.Request, err error) bool {
	var ref *risk.Refusal
	if !errors.As(err, &ref) {
		return false
	}
	b := refusalBody{Error: ref.Message, Code: ref.Code, RequestID: httpx.RequestID(r.Context()), AllowedProviderTypes: ref.Allowed}
	if h := ref.Hold; h != nil {
		allowed := h.Allowed()
		if allowed == nil {
			allowed = []string{}
		}
		b.CustomerRiskHold = &holdView{ID: h.ID, Action: string(h.Action), Reason: h.Reason, AllowedProviderTypes: allowed}
		b.CustomerRiskHoldID, b.CustomerRiskAction, b.CustomerRiskReason = h.ID, string(h.Action), h.Reason
	}
	httpx.WriteJSON(w, http.StatusForbidden, b)
	return true
}
