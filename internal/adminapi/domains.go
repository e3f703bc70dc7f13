package adminapi

import (
	"net/http"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/customdomain"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
)

// domainView is a custom domain as the API shows it, with the records that
// prove it.
type domainView struct {
	ID         string     `json:"id"`
	SiteID     string     `json:"siteId"`
	Hostname   string     `json:"hostname"`
	Status     string     `json:"status"`
	Primary    bool       `json:"primary"`
	Reason     string     `json:"reason,omitempty"`
	CNAME      dnsRecord  `json:"cname"`
	TXT        dnsRecord  `json:"txt"`
	VerifiedAt *time.Time `json:"verifiedAt,omitempty"`
	CheckedAt  *time.Time `json:"checkedAt,omitempty"`
	CreatedAt  time.Time  `json:"createdAt"`
}

type dnsRecord struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func (a *API) viewDomain(d *customdomain.Domain) domainView {
	at := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	return domainView{ID: d.ID, SiteID: d.SiteID, Hostname: d.Hostname, Status: d.Status, Primary: d.Primary, Reason: d.Reason,
		CNAME: dnsRecord{Name: d.Hostname, Value: a.frontendHost()}, TXT: dnsRecord{Name: d.TXTName(), Value: d.Token},
		VerifiedAt: at(d.VerifiedAt), CheckedAt: at(d.CheckedAt), CreatedAt: d.CreatedAt}
}

// frontendHost is main-frontend's public host, where CNAMEs point.
func (a *API) frontendHost() string { return customdomain.HostOf(a.opts.PaymentBaseURL) }

func (a *API) listDomains(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	list, err := a.store.ListDomains(r.Context(), key.OrganizationID)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	out := make([]domainView, 0, len(list))
	for _, d := range list {
		out = append(out, a.viewDomain(d))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out})
}

func (a *API) createDomain(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req struct {
		SiteID   string `json:"siteId"`
		Hostname string `json:"hostname"`
		Primary  bool   `json:"primary"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	site, err := a.store.GetSite(r.Context(), key.OrganizationID, req.SiteID)
	if httpx.Fail(w, r, a.log, err, "site") {
		return
	}
	host, err := customdomain.Normalize(req.Hostname, a.opts.Domains.Reserved(a.frontendHost()))
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	d := customdomain.NewClaim(key.OrganizationID, site.ID, host, req.Primary, a.opts.Now())
	if httpx.Fail(w, r, a.log, a.store.CreateDomain(r.Context(), d), "") {
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, a.viewDomain(d))
}

// updateDomain makes a domain its site's primary one, or no longer: the
// site's paymentUrls use its primary domain while that is verified.
func (a *API) updateDomain(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req struct {
		Primary *bool `json:"primary"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if req.Primary == nil {
		httpx.Fail(w, r, a.log, errs.Refused("validation_error", "primary", "primary is required"), "")
		return
	}
	d, err := a.store.SetPrimaryDomain(r.Context(), key.OrganizationID, r.PathValue("id"), *req.Primary)
	if httpx.Fail(w, r, a.log, err, "domain") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, a.viewDomain(d))
}

func (a *API) deleteDomain(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if httpx.Fail(w, r, a.log, a.store.DeleteDomain(r.Context(), key.OrganizationID, r.PathValue("id")), "domain") {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// verifyDomain checks a domain's DNS records now and answers what it found.
func (a *API) verifyDomain(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	d, err := a.store.GetDomain(r.Context(), key.OrganizationID, r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "domain") {
		return
	}
	if a.opts.Domains == nil {
		httpx.WriteError(w, r, http.StatusServiceUnavailable, "unavailable", "domain checks are not configured")
		return
	}
	status, reason := a.opts.Domains.Check(r.Context(), d)
	if httpx.Fail(w, r, a.log, a.store.SetDomainStatus(r.Context(), d, status, reason, a.opts.Now()), "") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, a.viewDomain(d))
}
