package adminapi

import (
	"net/http"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/paylink"
	"github.com/pgw/pgw/internal/store"
)

// paylinkView is a reusable payment link as the API shows it.
type paylinkView struct {
	ID            string         `json:"id"`
	Code          string         `json:"code"`
	URL           string         `json:"url"`
	SiteID        string         `json:"siteId"`
	Mode          string         `json:"mode"`
	Name          string         `json:"name"`
	Currency      string         `json:"currency"`
	Items         []paylink.Item `json:"items"`
	CustomAmount  *customAmount  `json:"customAmount,omitempty"`
	MaxPayments   int            `json:"maxPayments"`
	ExpiresAt     *time.Time     `json:"expiresAt,omitempty"`
	Active        bool           `json:"active"`
	PaymentsCount int            `json:"paymentsCount"`
	Volume        int64          `json:"volume"`
	CreatedAt     time.Time      `json:"createdAt"`
}

type customAmount struct {
	Min int64 `json:"min"`
	Max int64 `json:"max"`
}

// viewLink is a link as the API shows it; its URL is on base, where its
// site's payment pages are.
func (a *API) viewLink(l *paylink.Link, st store.LinkStats, base string) paylinkView {
	v := paylinkView{ID: l.ID, Code: l.Code, URL: paylink.URL(base, l.Code), SiteID: l.SiteID, Mode: string(l.Mode),
		Name: l.Name, Currency: l.Currency, Items: l.Items, MaxPayments: l.MaxPayments, Active: l.Active,
		PaymentsCount: st.Payments, Volume: st.Volume, CreatedAt: l.CreatedAt}
	if v.Items == nil {
		v.Items = []paylink.Item{}
	}
	if l.Custom() {
		v.CustomAmount = &customAmount{Min: l.CustomMin, Max: l.CustomMax}
	}
	if !l.ExpiresAt.IsZero() {
		t := l.ExpiresAt
		v.ExpiresAt = &t
	}
	return v
}

func (a *API) createLink(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req struct {
		SiteID       string         `json:"siteId"`
		Name         string         `json:"name"`
		Currency     string         `json:"currency"`
		Items        []paylink.Item `json:"items"`
		CustomAmount *customAmount  `json:"customAmount"`
		MaxPayments  int            `json:"maxPayments"`
		ExpiresAt    *time.Time     `json:"expiresAt"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	site, err := a.store.GetSite(r.Context(), key.OrganizationID, req.SiteID)
	if httpx.Fail(w, r, a.log, err, "site") {
		return
	}
	now := a.opts.Now()
	l := &paylink.Link{ID: ids.New("plink"), OrganizationID: key.OrganizationID, SiteID: site.ID, Mode: key.Mode,
		Code: ids.Token(16), Name: req.Name, Currency: req.Currency, Items: req.Items, MaxPayments: req.MaxPayments,
		Active: true, CreatedBy: "api key " + key.ID, CreatedAt: now, UpdatedAt: now}
	if req.CustomAmount != nil {
		l.CustomMin, l.CustomMax = req.CustomAmount.Min, req.CustomAmount.Max
	}
	if req.ExpiresAt != nil {
		l.ExpiresAt = req.ExpiresAt.UTC()
	}
	err = l.Check(a.opts.MaxAmount, now)
	if err == nil {
		err = a.store.CreatePaymentLink(r.Context(), l)
	}
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, a.viewLink(l, store.LinkStats{}, a.pages.Base(r.Context(), l.SiteID)))
}

func (a *API) listLinks(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	page, limit := 1, defaultLimit
	if !pageParams(w, r, &page, &limit) {
		return
	}
	links, total, err := a.store.ListPaymentLinks(r.Context(), key.OrganizationID, key.Mode, page, limit)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	idList, sites := make([]string, len(links)), make([]string, len(links))
	for i, l := range links {
		idList[i], sites[i] = l.ID, l.SiteID
	}
	stats, err := a.store.PaymentLinkStats(r.Context(), idList)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	bases := a.pages.Bases(r.Context(), sites...)
	view := func(l *paylink.Link) paylinkView { return a.viewLink(l, stats[l.ID], bases(l.SiteID)) }
	httpx.WriteJSON(w, http.StatusOK, newPage(links, view, page, limit, total))
}

func (a *API) getLink(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	a.answerLink(w, r, key, func() (*paylink.Link, error) {
		return a.store.GetPaymentLink(r.Context(), key.OrganizationID, key.Mode, r.PathValue("id"))
	})
}

func (a *API) deactivateLink(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	a.answerLink(w, r, key, func() (*paylink.Link, error) {
		return a.store.DeactivatePaymentLink(r.Context(), key.OrganizationID, key.Mode, r.PathValue("id"), a.opts.Now())
	})
}

// answerLink answers the link load finds, with its stats.
func (a *API) answerLink(w http.ResponseWriter, r *http.Request, key *auth.APIKey, load func() (*paylink.Link, error)) {
	l, err := load()
	if httpx.Fail(w, r, a.log, err, "payment link") {
		return
	}
	stats, err := a.store.PaymentLinkStats(r.Context(), []string{l.ID})
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, a.viewLink(l, stats[l.ID], a.pages.Base(r.Context(), l.SiteID)))
}
