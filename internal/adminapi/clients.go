package adminapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/store"
)

// clientView is a buyer as the organization's checkouts know them.
type clientView struct {
	ID             string            `json:"id"`
	ClientID       string            `json:"clientId,omitempty"`
	Email          string            `json:"email,omitempty"`
	FirstName      string            `json:"firstName,omitempty"`
	LastName       string            `json:"lastName,omitempty"`
	Company        string            `json:"company,omitempty"`
	BillingAddress *checkout.Address `json:"billingAddress,omitempty"`
	VATID          string            `json:"vatId,omitempty"`
	Mode           checkout.Mode     `json:"mode"`
	CheckoutCount  int               `json:"checkoutCount"`
	LifetimeValue  []store.Amount    `json:"lifetimeValue"`
	FirstSeenAt    time.Time         `json:"firstSeenAt"`
	LastSeenAt     time.Time         `json:"lastSeenAt"`
	// Checkouts are the client's newest checkouts (the client's own page only).
	Checkouts []checkoutView `json:"checkouts,omitempty"`
}

func viewClient(cl *store.Client, mode checkout.Mode) clientView {
	v := clientView{ID: cl.ID, Mode: mode, CheckoutCount: cl.Checkouts, LifetimeValue: cl.LifetimeValue,
		FirstSeenAt: cl.FirstSeenAt, LastSeenAt: cl.LastSeenAt}
	b := cl.Billing()
	v.Email, v.FirstName, v.LastName, v.Company = cl.Email(), b.FirstName, b.LastName, b.Company
	if c := cl.Latest; c != nil {
		v.ClientID, v.BillingAddress = c.ClientID, c.BillingAddress
	}
	return v
}

func (a *API) listClients(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	f := store.ClientFilter{OrganizationID: key.OrganizationID, Mode: key.Mode, Page: 1, Limit: defaultLimit}
	if !pageParams(w, r, &f.Page, &f.Limit) {
		return
	}
	list, total, err := a.store.ListClients(r.Context(), f)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	view := func(cl *store.Client) clientView { return viewClient(cl, key.Mode) }
	httpx.WriteJSON(w, http.StatusOK, newPage(list, view, f.Page, f.Limit, total))
}

// clientCheckouts is how many of a client's checkouts their page shows.
const clientCheckouts = 20

// getClient answers a client with their newest checkouts and the VAT ID
// their last taxed payment was decided on.
func (a *API) getClient(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	cl, err := a.store.GetClient(r.Context(), key.OrganizationID, key.Mode, r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "client") {
		return
	}
	list, _, err := a.store.ListCheckouts(r.Context(), store.CheckoutFilter{OrganizationID: key.OrganizationID, Mode: key.Mode,
		ClientKey: cl.ID, Page: 1, Limit: clientCheckouts})
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	v := viewClient(cl, key.Mode)
	if v.VATID, err = a.store.ClientVATID(r.Context(), key.OrganizationID, key.Mode, cl.ID); err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	v.Checkouts = make([]checkoutView, 0, len(list))
	view := a.views(r.Context(), list...)
	for _, c := range list {
		v.Checkouts = append(v.Checkouts, view(c))
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}

// eventView is an event as webhook endpoints receive it.
type eventView struct {
	ID      string    `json:"id"`
	Type    string    `json:"type"`
	Created time.Time `json:"created"`
	Data    any       `json:"data"`
}

// listEvents answers the key's typed events from since (RFC 3339,
// inclusive), oldest first, for catching up after an outage; receivers
// dedupe on id as they do for webhooks.
func (a *API) listEvents(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	q := r.URL.Query()
	f := store.EventFilter{OrganizationID: key.OrganizationID, Mode: key.Mode, Types: notify.EventTypes, Limit: defaultLimit}
	if t := q.Get("type"); t != "" {
		f.Types = nil
		for _, one := range strings.Split(t, ",") {
			if !notify.ValidEventType(one) || slices.Contains(f.Types, one) {
				httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", "type",
					"type must be one or more of "+strings.Join(notify.EventTypes, ", ")+", separated by commas")
				return
			}
			f.Types = append(f.Types, one)
		}
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", "since", "since must be an RFC 3339 time")
			return
		}
		f.Since = t
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", "limit", "limit must be from 1 to 100")
			return
		}
		f.Limit = n
	}
	evs, err := a.store.ListEvents(r.Context(), f)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	more := len(evs) > f.Limit
	if more {
		evs = evs[:f.Limit]
	}
	out := make([]eventView, 0, len(evs))
	for _, e := range evs {
		out = append(out, eventView{ID: e.ID, Type: e.Type, Created: e.CreatedAt.UTC(),
			Data: map[string]any{"object": json.RawMessage(e.Payload)}})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out, "hasMore": more})
}

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

func (a *API) deleteSite(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if httpx.Fail(w, r, a.log, a.store.DeleteSite(r.Context(), key.OrganizationID, r.PathValue("id")), "site") {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
