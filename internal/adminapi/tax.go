package adminapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/tax"
)

// taxSettingsView is an organization's tax settings as the API shows and
// takes them.
type taxSettingsView struct {
	Enabled                bool         `json:"enabled"`
	SellerCountry          string       `json:"sellerCountry"`
	SellerVATID            string       `json:"sellerVatId"`
	OSSRegistered          bool         `json:"ossRegistered"`
	Registrations          []string     `json:"registrations"`
	SmallBusinessExemption bool         `json:"smallBusinessExemption"`
	Rounding               tax.Rounding `json:"rounding"`
	VIESCheck              string       `json:"viesCheck"`
	UpdatedAt              *time.Time   `json:"updatedAt,omitempty"`
}

func viewTaxSettings(c tax.Config) taxSettingsView {
	v := taxSettingsView{Enabled: c.Enabled, SellerCountry: c.SellerCountry, SellerVATID: c.SellerVATID, OSSRegistered: c.OSSRegistered,
		Registrations: c.Registrations, SmallBusinessExemption: c.SmallBusinessExemption, Rounding: c.Rounding, VIESCheck: c.VIESCheck}
	if v.Registrations == nil {
		v.Registrations = []string{}
	}
	if !c.UpdatedAt.IsZero() {
		t := c.UpdatedAt
		v.UpdatedAt = &t
	}
	return v
}

func (a *API) getTaxSettings(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	c, err := a.store.TaxConfig(r.Context(), key.OrganizationID)
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, viewTaxSettings(c))
}

// putTaxSettings replaces the settings; what is left out takes its default.
func (a *API) putTaxSettings(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req taxSettingsView
	if !readJSON(w, r, &req) {
		return
	}
	c := tax.Config{Enabled: req.Enabled, VIESCheck: req.VIESCheck, UpdatedAt: a.opts.Now(), Settings: tax.Settings{
		SellerCountry: req.SellerCountry, SellerVATID: req.SellerVATID, OSSRegistered: req.OSSRegistered,
		Registrations: req.Registrations, SmallBusinessExemption: req.SmallBusinessExemption, Rounding: req.Rounding}}
	err := c.Check()
	if err == nil {
		err = a.store.PutTaxConfig(r.Context(), key.OrganizationID, c)
	}
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, viewTaxSettings(c))
}

// taxRateView is a merchant's rate.
type taxRateView struct {
	ID            string       `json:"id"`
	Country       string       `json:"country"`
	Region        string       `json:"region,omitempty"`
	Category      tax.Category `json:"category"`
	Rate          string       `json:"rate"`
	EffectiveFrom time.Time    `json:"effectiveFrom"`
}

func viewTaxRate(m *tax.MerchantRate) taxRateView {
	return taxRateView{ID: m.ID, Country: m.Country, Region: m.Region, Category: m.Category, Rate: string(m.Rate), EffectiveFrom: m.EffectiveFrom}
}

type taxRateRequest struct {
	Country       string       `json:"country"`
	Region        string       `json:"region"`
	Category      tax.Category `json:"category"`
	Rate          json.Number  `json:"rate"`
	EffectiveFrom string       `json:"effectiveFrom"`
}

// rate checks the request and makes the rate it describes.
func (req *taxRateRequest) rate(id, orgID string, now time.Time) (*tax.MerchantRate, error) {
	m := &tax.MerchantRate{ID: id, OrganizationID: orgID, Country: req.Country, Region: req.Region, Category: req.Category,
		Rate: tax.Rate(req.Rate.String()), CreatedAt: now}
	from, err := time.Parse(time.DateOnly, req.EffectiveFrom)
	if err != nil {
		if from, err = time.Parse(time.RFC3339, req.EffectiveFrom); err != nil {
			return nil, errs.Refused("validation_error", "effectiveFrom", "effectiveFrom must be a date (2026-01-01) or an RFC 3339 time")
		}
	}
	m.EffectiveFrom = from.UTC()
	return m, m.Check()
}

func (a *API) listTaxRates(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	ms, err := a.store.TaxRates(r.Context(), key.OrganizationID, r.URL.Query().Get("country"))
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	out := make([]taxRateView, 0, len(ms))
	for i := range ms {
		out = append(out, viewTaxRate(&ms[i]))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out})
}

func (a *API) createTaxRate(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req taxRateRequest
	if !readJSON(w, r, &req) {
		return
	}
	m, err := req.rate(ids.New("txr"), key.OrganizationID, a.opts.Now())
	if err == nil {
		err = a.store.CreateTaxRate(r.Context(), m)
	}
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, viewTaxRate(m))
}

func (a *API) updateTaxRate(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req taxRateRequest
	if !readJSON(w, r, &req) {
		return
	}
	m, err := req.rate(r.PathValue("id"), key.OrganizationID, a.opts.Now())
	if err == nil {
		err = a.store.UpdateTaxRate(r.Context(), m)
	}
	if httpx.Fail(w, r, a.log, err, "tax rate") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, viewTaxRate(m))
}

func (a *API) deleteTaxRate(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if httpx.Fail(w, r, a.log, a.store.DeleteTaxRate(r.Context(), key.OrganizationID, r.PathValue("id")), "tax rate") {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
