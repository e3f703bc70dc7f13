package dashboard

import (
	"errors"
	"net/http"
	"net/mail"
	"strconv"
	"strings"

	"github.com/pgw/pgw/internal/buyermail"
	"github.com/pgw/pgw/internal/errs"
	pgwmail "github.com/pgw/pgw/internal/mail"
	"github.com/pgw/pgw/internal/store"
	views "github.com/pgw/pgw/templates/dashboard"
)

// mailPage shows the organization's SMTP settings.
func (d *Dashboard) mailPage(w http.ResponseWriter, r *http.Request, s *signedIn) {
	m, err := d.store.OrgMailSettings(r.Context(), s.orgID)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	v := views.MailPage{Port: "587", Receipts: true, Alerts: true}
	tls := pgwmail.TLSStartTLS
	if m != nil {
		v.Own, v.Host, v.Port, v.Username, v.From = true, m.Server.Host, strconv.Itoa(m.Server.Port), m.Server.Username, m.Server.From
		v.PasswordSet, v.Receipts, v.Alerts, tls = m.Server.Password != "", m.Receipts, m.Alerts, m.Server.TLS
	}
	if d.opts.Mail != nil && d.opts.Mail.System != nil {
		v.System = d.opts.Mail.System.Host
	}
	v.TLS = options(map[string]string{pgwmail.TLSNone: "", pgwmail.TLSStartTLS: "", pgwmail.TLSImplicit: ""}, tls)
	sites, err := d.store.ListSites(r.Context(), s.orgID)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	for _, st := range sites {
		v.Sites = append(v.Sites, views.Option{Value: st.ID, Label: st.DisplayName})
	}
	d.render(w, r, http.StatusOK, views.Mail(d.frame(s, "mail", "Email"), v))
}

// saveMail stores the organization's SMTP settings; a blank password keeps
// the stored one.
func (d *Dashboard) saveMail(w http.ResponseWriter, r *http.Request, s *signedIn) {
	port, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("port")))
	pw := r.PostFormValue("password")
	m := &store.MailSettings{Server: pgwmail.Server{Host: strings.TrimSpace(r.PostFormValue("host")), Port: port,
		TLS: r.PostFormValue("tls"), Username: strings.TrimSpace(r.PostFormValue("username")), Password: pw,
		From: strings.TrimSpace(r.PostFormValue("from"))},
		Receipts: r.PostFormValue("receipts") == "1", Alerts: r.PostFormValue("alerts") == "1"}
	if e, ok := errs.As(m.Server.Check()); ok {
		d.back(w, r, s, "/dashboard/mail", "", "Not saved: "+e.Message+".")
		return
	}
	if err := d.store.SaveOrgMailSettings(r.Context(), s.orgID, m, pw == ""); err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("mail settings saved from the dashboard", "user", s.user.ID)
	d.back(w, r, s, "/dashboard/mail", "Saved.", "")
}

// testMail sends a test email and says what the server answered.
func (d *Dashboard) testMail(w http.ResponseWriter, r *http.Request, s *signedIn) {
	to := strings.TrimSpace(r.PostFormValue("to"))
	if _, err := mail.ParseAddress(to); err != nil || len(to) > 254 || d.opts.Mail == nil {
		d.back(w, r, s, "/dashboard/mail", "", "Enter the address to send the test email to.")
		return
	}
	site, err := d.store.GetSite(r.Context(), s.orgID, r.PostFormValue("site"))
	if err != nil {
		d.back(w, r, s, "/dashboard/mail", "", "Choose one of your sites.")
		return
	}
	srv, err := d.opts.Mail.Server(r.Context(), s.orgID)
	if errors.Is(err, buyermail.ErrNoServer) {
		d.back(w, r, s, "/dashboard/mail", "", "No SMTP server: save one above.")
		return
	}
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	if err := d.opts.Mail.Test(r.Context(), srv, site, to); err != nil {
		d.back(w, r, s, "/dashboard/mail", "", "The test email was not sent: "+err.Error())
		return
	}
	d.back(w, r, s, "/dashboard/mail", "A test email was sent to "+to+".", "")
}
