package dashboard

import (
	"net/http"
	"net/url"

	"github.com/pgw/pgw/internal/customdomain"
	"github.com/pgw/pgw/internal/errs"
)

// frontendHost is main-frontend's public host, where custom domains point.
func (d *Dashboard) frontendHost() string { return customdomain.HostOf(d.opts.PaymentBaseURL) }

// addDomain claims a hostname for the site.
func (d *Dashboard) addDomain(w http.ResponseWriter, r *http.Request, s *signedIn) {
	site, err := d.store.GetSite(r.Context(), s.orgID, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	back := "/dashboard/sites/" + url.PathEscape(site.ID) + "#domains"
	host, err := customdomain.Normalize(r.PostFormValue("hostname"), d.opts.Domains.Reserved(d.frontendHost()))
	if e, ok := errs.As(err); ok {
		d.back(w, r, s, back, "", "The hostname: "+e.Message+".")
		return
	}
	dm := customdomain.NewClaim(s.orgID, site.ID, host, false, d.opts.Now())
	if err := d.store.CreateDomain(r.Context(), dm); err != nil {
		if e, ok := errs.As(err); ok && e.Kind == errs.Conflict {
			d.back(w, r, s, back, "", e.Message+".")
			return
		}
		d.fail(w, r, s, err)
		return
	}
	d.back(w, r, s, back, host+" is added: create its DNS record, then check it.", "")
}

// verifyDomain checks a domain's DNS records now.
func (d *Dashboard) verifyDomain(w http.ResponseWriter, r *http.Request, s *signedIn) {
	dm, err := d.store.GetDomain(r.Context(), s.orgID, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	back := "/dashboard/sites/" + url.PathEscape(dm.SiteID) + "#domains"
	if d.opts.Domains == nil {
		d.back(w, r, s, back, "", "Domain checks are not configured.")
		return
	}
	status, reason := d.opts.Domains.Check(r.Context(), dm)
	if err := d.store.SetDomainStatus(r.Context(), dm, status, reason, d.opts.Now()); err != nil {
		if e, ok := errs.As(err); ok && e.Kind == errs.Conflict {
			d.back(w, r, s, back, "", e.Message+".")
			return
		}
		d.fail(w, r, s, err)
		return
	}
	if status == customdomain.Verified {
		d.back(w, r, s, back, dm.Hostname+" is verified.", "")
		return
	}
	d.back(w, r, s, back, "", dm.Hostname+" is not verified: "+reason+".")
}

// primaryDomain makes a domain its site's primary one, or no longer.
func (d *Dashboard) primaryDomain(w http.ResponseWriter, r *http.Request, s *signedIn) {
	primary := r.PostFormValue("primary") == "true"
	dm, err := d.store.SetPrimaryDomain(r.Context(), s.orgID, r.PathValue("id"), primary)
	if err != nil {
		if e, ok := errs.As(err); ok && e.Kind == errs.Conflict {
			d.back(w, r, s, "/dashboard/sites", "", e.Message+".")
			return
		}
		d.fail(w, r, s, err)
		return
	}
	back := "/dashboard/sites/" + url.PathEscape(dm.SiteID) + "#domains"
	switch {
	case !primary:
		d.back(w, r, s, back, dm.Hostname+" is no longer the primary domain: payment URLs are on "+d.frontendHost()+".", "")
	case dm.Status == customdomain.Verified:
		d.back(w, r, s, back, "Payment URLs are now on "+dm.Hostname+".", "")
	default:
		d.back(w, r, s, back, dm.Hostname+" is the primary domain: payment URLs move to it once it is verified.", "")
	}
}

func (d *Dashboard) deleteDomain(w http.ResponseWriter, r *http.Request, s *signedIn) {
	dm, err := d.store.GetDomain(r.Context(), s.orgID, r.PathValue("id"))
	if err == nil {
		err = d.store.DeleteDomain(r.Context(), s.orgID, dm.ID)
	}
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.back(w, r, s, "/dashboard/sites/"+url.PathEscape(dm.SiteID)+"#domains", dm.Hostname+" is removed.", "")
}
