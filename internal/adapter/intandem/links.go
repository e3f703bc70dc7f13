package intandem

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/checkouts"
)

// The links inTandem sends people to: connect and disconnect, and the
// buyer's way from inTandem to our hosted page.

// connect completes the merchant's connect dialog: it reports the
// connection to inTandem and returns to inTandem's redirect_url.
func (a *App) connect(w http.ResponseWriter, r *http.Request) {
	conn, back, ok := a.dialog(w, r)
	if !ok {
		return
	}
	if err := a.client(conn).Settings(r.Context(), conn.AppName, conn.SiteID, true); err != nil {
		a.log.Warn("reporting the inTandem connection", "err", err, "business", conn.BusinessUID)
		a.pages.Message(w, r, http.StatusBadGateway, "Could not finish", "We could not tell inTandem about the change. Please try again in a moment.", back, "Back to inTandem")
		return
	}
	if err := a.data.SetConnected(r.Context(), conn.SiteID, true); err != nil {
		a.pages.Fail(w, r, err)
		return
	}
	if back != "" {
		http.Redirect(w, r, back, http.StatusFound)
		return
	}
	a.pages.Message(w, r, http.StatusOK, "Done", "Payments are connected.", "", "")
}

// disconnect changes nothing: anyone can follow a link, so the
// disconnect is confirmed in the dashboard by an admin of the site's
// organization, who is sent back to inTandem from there.
func (a *App) disconnect(w http.ResponseWriter, r *http.Request) {
	conn, back, ok := a.dialog(w, r)
	if !ok {
		return
	}
	confirm := strings.TrimRight(a.opts.DashboardURL, "/") + "/dashboard/intandem/disconnect?" +
		url.Values{"b_uid": {conn.BusinessUID}, "redirect_url": {back}}.Encode()
	a.pages.Message(w, r, http.StatusOK, "Confirm in the dashboard",
		"Disconnecting stops card payments for this business. An administrator of the merchant's payment account confirms it in the dashboard.",
		confirm, "Continue to the dashboard")
}

// dialog reads the business and the redirect_url of a connect or
// disconnect link; redirect_url must be on one of the connection's inTandem
// origins.
func (a *App) dialog(w http.ResponseWriter, r *http.Request) (*Connection, string, bool) {
	q := r.URL.Query()
	conn, err := a.data.ConnectionByBusiness(r.Context(), q.Get("b_uid"))
	if err != nil {
		a.pages.Message(w, r, http.StatusNotFound, "Not set up yet",
			"This business is not set up for payments here yet. Ask the payment provider's administrator to add it.", "", "")
		return nil, "", false
	}
	back := q.Get("redirect_url")
	if back != "" && !conn.AllowsRedirect(back) {
		a.pages.Message(w, r, http.StatusBadRequest, "Invalid link", "The link back to inTandem is not valid.", "", "")
		return nil, "", false
	}
	return conn, back, true
}

// checkout takes a buyer inTandem sent to pay: it reads the checkout
// from inTandem, creates (or reuses) ours, and shows our hosted page.
func (a *App) checkout(w http.ResponseWriter, r *http.Request) {
	bUID, urlKey := r.PathValue("business_uid"), r.PathValue("url_key")
	conn, err := a.data.ConnectionByBusiness(r.Context(), bUID)
	if err != nil || !urlKeyRE.MatchString(urlKey) {
		a.pages.Message(w, r, http.StatusNotFound, "Payment link not found", "This payment link is not valid. Ask the business for a new one.", "", "")
		return
	}
	ref := CheckoutRef(bUID, urlKey)
	if c, err := a.store.FindCheckoutBySourceRef(r.Context(), conn.SiteID, checkout.SourceIntandem, ref); err == nil {
		http.Redirect(w, r, "/checkout/"+c.ShortCode, http.StatusSeeOther)
		return
	}
	d, err := a.client(conn).Checkout(r.Context(), urlKey)
	if err != nil {
		a.checkoutError(w, r, err)
		return
	}
	amount, _, err := d.Amount.Minor(d.Currency)
	if err != nil {
		a.log.Warn("inTandem checkout amount", "err", err, "amount", d.Amount, "currency", d.Currency)
		a.pages.Message(w, r, http.StatusBadGateway, "Payment not possible", "This payment has an amount or currency we cannot take. Please contact the business.", "", "")
		return
	}
	name := strings.TrimSpace(d.Name)
	if name == "" {
		name = "Payment"
	}
	ret := d.ReturnURL
	if checkout.CheckURL("return_url", ret) != nil {
		ret = ""
	}
	email := strings.TrimSpace(d.Email)
	if strings.EqualFold(email, "nil") || checkout.CheckEmail("email", email) != nil {
		email = ""
	}
	reference := d.ID
	if reference == "" {
		reference = urlKey
	}
	site, err := a.store.GetSite(r.Context(), conn.OrganizationID, conn.SiteID)
	if err != nil {
		a.pages.Fail(w, r, err)
		return
	}
	got, _, err := a.checkouts.FindOrCreate(r.Context(), checkouts.Input{Request: &checkout.CreateRequest{
		Amount: json.Number(itoa(amount)), Currency: d.Currency, Email: email, ReturnURL: ret,
		ExternalReference: checkout.Text(reference),
		Items:             []checkout.ItemRequest{{Name: truncate(name, 200), UnitPrice: json.Number(itoa(amount))}},
		Metadata: map[string]any{"intandem_business_uid": bUID, "intandem_url_key": urlKey,
			"intandem_client_id": truncate(d.ClientID, 500), "intandem_payment_request": truncate(d.ID, 500)},
	}, Site: site, Mode: conn.Mode, Source: checkout.SourceIntandem, SourceRef: ref})
	var ve *checkout.Error
	if errors.As(err, &ve) {
		a.pages.Message(w, r, http.StatusUnprocessableEntity, "Payment not possible", "This payment cannot be taken here: "+ve.Message, ret, "Back")
		return
	}
	if err != nil {
		a.pages.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/checkout/"+got.ShortCode, http.StatusSeeOther)
}

// checkoutError gives the buyer a clear page for what inTandem said.
func (a *App) checkoutError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *APIError
	switch {
	case errors.As(err, &ae) && strings.EqualFold(ae.Code, "Already_paid"):
		a.pages.Message(w, r, http.StatusConflict, "Already paid", "This payment has already been made. Nothing more is due.", "", "")
	case errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden || strings.EqualFold(ae.Code, "Unauthorized")):
		a.log.Warn("inTandem refused the business's token", "err", err)
		a.pages.Message(w, r, http.StatusBadGateway, "Payment unavailable", "The business's payment connection needs attention. Please contact the business.", "", "")
	case errors.As(err, &ae):
		a.pages.Message(w, r, http.StatusNotFound, "Payment link not valid", "This payment link is not valid or has expired. Ask the business for a new one.", "", "")
	default:
		a.log.Warn("reading the inTandem checkout", "err", err)
		a.pages.Message(w, r, http.StatusBadGateway, "Please try again", "We could not reach the business's booking system. Please try again in a moment.", "", "")
	}
}
