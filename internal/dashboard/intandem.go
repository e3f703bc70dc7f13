package dashboard

import (
	"net/http"
	"net/url"

	"github.com/pgw/pgw/internal/adapter/intandem"
	views "github.com/pgw/pgw/templates/dashboard"
)

// intandemLink reads the business and redirect_url of inTandem's disconnect
// link: the business must be connected to a site of the operator's
// organization, and redirect_url on one of its inTandem origins.
func (d *Dashboard) intandemLink(w http.ResponseWriter, r *http.Request, s *signedIn, form url.Values) (*intandem.Connection, string, bool) {
	conn, err := d.intandem.ConnectionByBusiness(r.Context(), form.Get("b_uid"))
	if err != nil || conn.OrganizationID != s.orgID {
		d.render(w, r, http.StatusNotFound, views.Message(d.frame(s, "sites", "Not found"),
			"No site of this organization is connected to that inTandem business."))
		return nil, "", false
	}
	back := form.Get("redirect_url")
	if back != "" && !conn.AllowsRedirect(back) {
		d.render(w, r, http.StatusBadRequest, views.Message(d.frame(s, "sites", "Invalid link"),
			"The link back to inTandem is not on one of the connection's inTandem origins."))
		return nil, "", false
	}
	return conn, back, true
}

// confirmIntandemDisconnect asks an admin to confirm the disconnect that
// inTandem's link asked for; it changes nothing.
func (d *Dashboard) confirmIntandemDisconnect(w http.ResponseWriter, r *http.Request, s *signedIn) {
	conn, back, ok := d.intandemLink(w, r, s, r.URL.Query())
	if !ok {
		return
	}
	if back != "" {
		// The confirmation's answer goes back to inTandem.
		u, _ := url.Parse(back) // checked by intandemLink
		w.Header().Set("Content-Security-Policy", csp("'self'", u.Scheme+"://"+u.Host))
	}
	d.render(w, r, http.StatusOK, views.ConfirmPage(d.frame(s, "sites", "Disconnect inTandem"), views.Confirm{
		Message: "Disconnect inTandem business " + conn.BusinessUID + "? inTandem stops offering card payments through this site.",
		Action:  "/dashboard/intandem/disconnect", Button: "Disconnect", CancelURL: "/dashboard/sites/" + url.PathEscape(conn.SiteID),
		Fields: map[string]string{"b_uid": conn.BusinessUID, "redirect_url": back},
	}))
}

// intandemDisconnect tells inTandem that the business is disconnected, marks
// the connection so, and returns to inTandem.
func (d *Dashboard) intandemDisconnect(w http.ResponseWriter, r *http.Request, s *signedIn) {
	if err := r.ParseForm(); err != nil {
		d.render(w, r, http.StatusBadRequest, views.Message(d.frame(s, "sites", "Invalid form"), "The form could not be read."))
		return
	}
	conn, back, ok := d.intandemLink(w, r, s, r.PostForm)
	if !ok {
		return
	}
	site := "/dashboard/sites/" + url.PathEscape(conn.SiteID)
	if err := intandem.NewClient(conn.APIBase, conn.Token, d.opts.IntandemClient).Settings(r.Context(), conn.AppName, conn.SiteID, false); err != nil {
		d.log.Warn("reporting the inTandem disconnect", "err", err, "business", conn.BusinessUID)
		d.back(w, r, s, site, "", "inTandem could not be told about the disconnect; nothing changed. Try again in a moment.")
		return
	}
	if err := d.intandem.SetConnected(r.Context(), conn.SiteID, false); err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("inTandem business disconnected from the dashboard", "site", conn.SiteID, "user", s.user.ID)
	if back != "" {
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	d.back(w, r, s, site, "inTandem is told that payments are disconnected.", "")
}
