package dashboard

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/store"
	views "github.com/pgw/pgw/templates/dashboard"
)

// clientMode is the mode a clients page shows: ?mode=, live by default.
func clientMode(r *http.Request) (checkout.Mode, bool) {
	switch m := checkout.Mode(r.URL.Query().Get("mode")); m {
	case "":
		return checkout.ModeLive, true
	case checkout.ModeLive, checkout.ModeTest:
		return m, true
	}
	return "", false
}

func lifetime(amounts []store.Amount) string {
	if len(amounts) == 0 {
		return "–"
	}
	parts := make([]string, len(amounts))
	for i, a := range amounts {
		parts[i] = amount(a.Amount, a.Currency)
	}
	return strings.Join(parts, ", ")
}

// listClients shows the buyers the organization's checkouts name.
func (d *Dashboard) listClients(w http.ResponseWriter, r *http.Request, s *signedIn) {
	mode, ok := clientMode(r)
	if !ok {
		d.render(w, r, http.StatusBadRequest, views.Clients(d.frameError(s, "clients", "Clients", "The mode must be live or test."), views.ClientList{}))
		return
	}
	page := pageNumber(r)
	list, total, err := d.store.ListClients(r.Context(), store.ClientFilter{OrganizationID: s.orgID, Mode: mode, Page: page, Limit: pageSize})
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	v := views.ClientList{Pager: pagerFor(r, page, total), Mode: string(mode)}
	for _, m := range []checkout.Mode{checkout.ModeLive, checkout.ModeTest} {
		v.Modes = append(v.Modes, views.Option{Value: string(m), Label: string(m), Selected: m == mode})
	}
	if problem := listProblem(r, total, "", nil); problem != "" {
		d.render(w, r, http.StatusBadRequest, views.Clients(d.frameError(s, "clients", "Clients", problem), v))
		return
	}
	for _, cl := range list {
		v.Rows = append(v.Rows, clientRow(cl))
	}
	d.render(w, r, http.StatusOK, views.Clients(d.frame(s, "clients", "Clients"), v))
}

func clientRow(cl *store.Client) views.ClientRow {
	row := views.ClientRow{ID: cl.ID, Checkouts: strconv.Itoa(cl.Checkouts), Lifetime: lifetime(cl.LifetimeValue),
		FirstSeen: when(cl.FirstSeenAt), LastSeen: when(cl.LastSeenAt)}
	b := cl.Billing()
	row.Email, row.Company, row.Country = cl.Email(), b.Company, b.Country
	if row.Name = strings.TrimSpace(b.FirstName + " " + b.LastName); row.Name == "" {
		row.Name = b.Name
	}
	if cl.Latest != nil {
		row.ClientID = cl.Latest.ClientID
	}
	return row
}

// showClient shows one buyer with their checkouts and totals.
func (d *Dashboard) showClient(w http.ResponseWriter, r *http.Request, s *signedIn) {
	mode, ok := clientMode(r)
	if !ok {
		mode = checkout.ModeLive
	}
	cl, err := d.store.GetClient(r.Context(), s.orgID, mode, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	list, total, err := d.store.ListCheckouts(r.Context(), store.CheckoutFilter{OrganizationID: s.orgID, Mode: mode, ClientKey: cl.ID, Page: 1, Limit: 50})
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	vat, err := d.store.ClientVATID(r.Context(), s.orgID, mode, cl.ID)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	v := views.ClientPage{Client: clientRow(cl), VATID: vat, Total: total, Mode: string(mode)}
	now := d.opts.Now()
	for _, c := range list {
		v.Rows = append(v.Rows, views.CheckoutRow{ID: c.ID, Reference: c.Reference(), Email: c.Email, Amount: amount(c.Amount, c.Currency),
			Status: string(c.EffectiveStatus(now)), Created: when(c.CreatedAt), Mode: string(c.Mode)})
	}
	title := v.Client.Name
	if title == "" {
		title = v.Client.Email
	}
	if title == "" {
		title = "Client " + cl.ID
	}
	d.render(w, r, http.StatusOK, views.ClientDetail(d.frame(s, "clients", title), v))
}
