package adminapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/store"
)

// overviewView is the dashboard's numbers for a period and currency.
type overviewView struct {
	From               time.Time                 `json:"from"`
	To                 time.Time                 `json:"to"`
	Currency           string                    `json:"currency"`
	Mode               checkout.Mode             `json:"mode"`
	GrossVolume        int64                     `json:"grossVolume"`
	NetRevenue         int64                     `json:"netRevenue"`
	Refunded           int64                     `json:"refunded"`
	Counts             map[checkout.TxStatus]int `json:"counts"`
	FailureRatio       float64                   `json:"failureRatio"`
	TopProviders       []providerVolumeView      `json:"topProviders"`
	RecentTransactions []transactionView         `json:"recentTransactions"`
}

type providerVolumeView struct {
	ProviderID string `json:"providerId"`
	Name       string `json:"name"`
	Count      int    `json:"count"`
	Volume     int64  `json:"volume"`
}

// maxOverview is the longest period an overview adds up.
const maxOverview = 366 * 24 * time.Hour

// dashboard answers the overview of from to to (RFC 3339; the last 30 days
// by default) in currency (required: amounts in different currencies do not
// add up).
func (a *API) dashboard(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	q := r.URL.Query()
	now := a.opts.Now().UTC()
	f := store.OverviewFilter{OrganizationID: key.OrganizationID, Mode: key.Mode, Currency: strings.ToUpper(q.Get("currency")),
		From: now.Add(-30 * 24 * time.Hour), To: now}
	if _, err := money.ParseCurrency(f.Currency); err != nil {
		httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", "currency", "currency is required: an ISO 4217 code")
		return
	}
	if !timeParams(w, r, map[string]*time.Time{"from": &f.From, "to": &f.To}) {
		return
	}
	f.From, f.To = f.From.UTC(), f.To.UTC()
	if !f.From.Before(f.To) || f.To.Sub(f.From) > maxOverview {
		httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", "from", "from must be before to, at most 366 days apart")
		return
	}
	o, err := a.store.Overview(r.Context(), f)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	names, err := a.store.ProviderNames(r.Context(), key.OrganizationID)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	v := overviewView{From: f.From, To: f.To, Currency: f.Currency, Mode: key.Mode, GrossVolume: o.GrossVolume,
		NetRevenue: o.NetRevenue, Refunded: o.Refunded, Counts: o.Counts, TopProviders: make([]providerVolumeView, 0, len(o.TopProviders)),
		RecentTransactions: make([]transactionView, 0, len(o.Recent))}
	for _, s := range checkout.TxStatuses {
		v.Counts[s] += 0
	}
	v.FailureRatio = o.FailureRatio()
	for _, p := range o.TopProviders {
		v.TopProviders = append(v.TopProviders, providerVolumeView{ProviderID: p.ProviderID, Name: names[p.ProviderID], Count: p.Count, Volume: p.Volume})
	}
	for _, t := range o.Recent {
		v.RecentTransactions = append(v.RecentTransactions, viewTransaction(t))
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}
