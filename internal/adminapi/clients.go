package adminapi

import (
	"net/http"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/httpx"
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
