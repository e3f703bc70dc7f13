package adminapi

import (
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/buyermail"
	"github.com/pgw/pgw/internal/httpx"
	pgwmail "github.com/pgw/pgw/internal/mail"
	"github.com/pgw/pgw/internal/store"
)

// mailView shows an organization's SMTP settings; the password never.
type mailView struct {
	Host        string    `json:"host"`
	Port        int       `json:"port"`
	TLS         string    `json:"tls"`
	Username    string    `json:"username"`
	PasswordSet bool      `json:"passwordSet"`
	From        string    `json:"from"`
	Receipts    bool      `json:"receipts"`
	Alerts      bool      `json:"alerts"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

func (a *API) getMailSettings(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	m, err := a.store.OrgMailSettings(r.Context(), key.OrganizationID)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	if m == nil {
		httpx.WriteError(w, r, http.StatusNotFound, "not_found", "the organization has no mail settings of its own; the system's server sends, when configured")
		return
	}
	httpx.WriteJSON(w, http.StatusOK, viewMail(m))
}

func viewMail(m *store.MailSettings) mailView {
	s := m.Server
	return mailView{Host: s.Host, Port: s.Port, TLS: s.TLS, Username: s.Username, PasswordSet: s.Password != "", From: s.From,
		Receipts: m.Receipts, Alerts: m.Alerts, UpdatedAt: m.UpdatedAt}
}

// putMailSettings takes {host, port, tls, username, password, from,
// receipts, alerts}; a password left out keeps the stored one.
func (a *API) putMailSettings(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req struct {
		Host     string  `json:"host"`
		Port     int     `json:"port"`
		TLS      string  `json:"tls"`
		Username string  `json:"username"`
		Password *string `json:"password"`
		From     string  `json:"from"`
		Receipts *bool   `json:"receipts"`
		Alerts   *bool   `json:"alerts"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	m := &store.MailSettings{Server: pgwmail.Server{Host: strings.TrimSpace(req.Host), Port: req.Port, TLS: req.TLS,
		Username: req.Username, From: strings.TrimSpace(req.From)}, Receipts: true, Alerts: true}
	if req.Password != nil {
		m.Server.Password = *req.Password
	}
	if req.Receipts != nil {
		m.Receipts = *req.Receipts
	}
	if req.Alerts != nil {
		m.Alerts = *req.Alerts
	}
	if httpx.Fail(w, r, a.log, m.Server.Check(), "") {
		return
	}
	if err := a.store.SaveOrgMailSettings(r.Context(), key.OrganizationID, m, req.Password == nil); err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	a.getMailSettings(w, r, key)
}

// testMail takes {to, siteId}: a test email through the organization's
// server (its own, else the system's), answered with what went wrong.
func (a *API) testMail(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req struct {
		To     string `json:"to"`
		SiteID string `json:"siteId"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if _, err := mail.ParseAddress(req.To); err != nil || len(req.To) > 254 {
		httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "to", "to must be an email address")
		return
	}
	site, err := a.store.GetSite(r.Context(), key.OrganizationID, req.SiteID)
	if httpx.Fail(w, r, a.log, err, "site") {
		return
	}
	if a.opts.Mail == nil {
		httpx.WriteError(w, r, http.StatusUnprocessableEntity, "mail_not_configured", buyermail.ErrNoServer.Error())
		return
	}
	srv, err := a.opts.Mail.Server(r.Context(), key.OrganizationID)
	if errors.Is(err, buyermail.ErrNoServer) {
		httpx.WriteError(w, r, http.StatusUnprocessableEntity, "mail_not_configured", err.Error())
		return
	}
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	if err := a.opts.Mail.Test(r.Context(), srv, site, req.To); err != nil {
		httpx.WriteError(w, r, http.StatusBadGateway, "mail_failed", "the SMTP server did not take the email: "+err.Error())
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"sent": true, "to": req.To})
}
