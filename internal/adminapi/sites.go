package adminapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/lang"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

// maxSites is how many sites an organization may create through the API.
const maxSites = 100

var errTooManySites = errs.New(errs.Conflict, "limit_reached", fmt.Sprintf("an organization has at most %d sites", maxSites))

// brandingView is a site's hosted-page branding.
type brandingView struct {
	LogoURL      *string `json:"logoUrl,omitempty"`
	PrimaryColor *string `json:"primaryColor,omitempty"`
	Font         *string `json:"font,omitempty"`
	CornerStyle  *string `json:"cornerStyle,omitempty"`
}

// siteView is a site as the API shows it; WebhookSecret only in the answer
// that created it.
type siteView struct {
	ID                   string             `json:"id"`
	Slug                 string             `json:"slug"`
	DisplayName          string             `json:"displayName"`
	Branding             brandingView       `json:"branding"`
	DefaultExpirySeconds int64              `json:"defaultExpirySeconds"`
	AmountUnits          tenant.AmountUnits `json:"amountUnits,omitempty"`
	IPNVersion           int                `json:"ipnVersion"`
	DefaultLanguage      string             `json:"defaultLanguage"`
	RequireEmail         bool               `json:"requireEmail"`
	TimeZone             string             `json:"timeZone"`
	WebhookSecret        string             `json:"webhookSecret,omitempty"`
	CreatedAt            time.Time          `json:"createdAt"`
	UpdatedAt            time.Time          `json:"updatedAt"`
}

func viewSite(s *tenant.Site) siteView {
	return siteView{ID: s.ID, Slug: s.Slug, DisplayName: s.DisplayName,
		Branding:             brandingView{LogoURL: &s.LogoURL, PrimaryColor: &s.PrimaryColor, Font: &s.Font, CornerStyle: &s.CornerStyle},
		DefaultExpirySeconds: s.DefaultExpirySeconds, AmountUnits: s.AmountUnits, IPNVersion: s.IPNVersion,
		DefaultLanguage: s.DefaultLanguage, RequireEmail: s.RequireEmail, TimeZone: s.TimeZone, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

// siteRequest creates or changes a site; a field left out is the default
// (create) or left as it is (update).
type siteRequest struct {
	DisplayName          *string             `json:"displayName"`
	Slug                 *string             `json:"slug"`
	Branding             *brandingView       `json:"branding"`
	DefaultExpirySeconds *int64              `json:"defaultExpirySeconds"`
	AmountUnits          *tenant.AmountUnits `json:"amountUnits"`
	IPNVersion           *int                `json:"ipnVersion"`
	DefaultLanguage      *string             `json:"defaultLanguage"`
	RequireEmail         *bool               `json:"requireEmail"`
	TimeZone             *string             `json:"timeZone"`
}

// settings checks the request and turns it into the store's change.
func (req *siteRequest) settings() (store.SiteSettings, error) {
	bad := func(field, msg string) error { return errs.Refused("validation_error", field, msg) }
	var in store.SiteSettings
	if n := req.DisplayName; n != nil {
		name := strings.TrimSpace(*n)
		if name == "" || len(name) > 100 || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return in, bad("displayName", "displayName must be plain text of 1 to 100 bytes")
		}
		in.DisplayName = &name
	}
	if b := req.Branding; b != nil {
		val := func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		}
		if err := tenant.ValidateBranding(val(b.LogoURL), val(b.PrimaryColor), val(b.Font), val(b.CornerStyle)); err != nil {
			return in, bad("branding", err.Error())
		}
		in.LogoURL, in.PrimaryColor, in.Font, in.CornerStyle = b.LogoURL, b.PrimaryColor, b.Font, b.CornerStyle
	}
	if e := req.DefaultExpirySeconds; e != nil {
		d := time.Duration(*e) * time.Second
		if *e <= 0 || d < checkout.MinExpiry || d > checkout.MaxExpiry {
			return in, bad("defaultExpirySeconds", "defaultExpirySeconds must be from 300 to 7776000 (5 minutes to 90 days)")
		}
		in.DefaultExpiry = &d
	}
	if u := req.AmountUnits; u != nil {
		if *u != tenant.UnitsMinor && *u != tenant.UnitsCents {
			return in, bad("amountUnits", "amountUnits must be minor (ISO 4217 minor units) or cents (hundredths, as the official shop plugins send)")
		}
		in.AmountUnits = u
	}
	if v := req.IPNVersion; v != nil {
		if *v != tenant.IPNv1 && *v != tenant.IPNv2 {
			return in, bad("ipnVersion", "ipnVersion must be 1, or 2 for the official plugins from version 1.2.0")
		}
		in.IPNVersion = v
	}
	if l := req.DefaultLanguage; l != nil {
		tag, ok := lang.Spoken(strings.TrimSpace(*l))
		if !ok {
			return in, bad("defaultLanguage", "defaultLanguage must be empty or one of "+strings.Join(lang.Codes(), ", "))
		}
		in.DefaultLanguage = &tag
	}
	in.RequireEmail = req.RequireEmail
	if z := req.TimeZone; z != nil {
		if _, err := time.LoadLocation(*z); err != nil || len(*z) > 64 || *z == "Local" {
			return in, bad("timeZone", "timeZone must be an IANA time zone such as Europe/Berlin, or empty for UTC")
		}
		in.TimeZone = z
	}
	return in, nil
}

func (a *API) createSite(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req siteRequest
	if !readJSON(w, r, &req) {
		return
	}
	site, err := a.newSite(r.Context(), key.OrganizationID, &req)
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	v := viewSite(site)
	v.WebhookSecret = site.WebhookSecret // shown once
	httpx.WriteJSON(w, http.StatusCreated, v)
}

// newSite creates a site from req: display name required, the rest defaults
// (slug from the name, minor units, the configured expiry, the current IPN
// version, a fresh signing secret).
func (a *API) newSite(ctx context.Context, orgID string, req *siteRequest) (*tenant.Site, error) {
	if req.DisplayName == nil {
		return nil, errs.Refused("validation_error", "displayName", "displayName is required")
	}
	in, err := req.settings()
	if err != nil {
		return nil, err
	}
	if n, err := a.store.CountSites(ctx, orgID); err != nil {
		return nil, err
	} else if n >= maxSites {
		return nil, errTooManySites
	}
	slug := store.Slug(*in.DisplayName)
	if req.Slug != nil {
		if slug = *req.Slug; slug == "" || store.Slug(slug) != slug {
			return nil, errs.Refused("validation_error", "slug", "slug must be lowercase letters, digits and single hyphens, at most 60")
		}
	}
	t := a.opts.Now()
	site := &tenant.Site{ID: ids.New("site"), OrganizationID: orgID, Slug: slug, DisplayName: *in.DisplayName,
		PrimaryColor: "#4f46e5", Font: "system", CornerStyle: "rounded", WebhookSecret: "whsec_" + ids.Secret(32),
		AmountUnits: tenant.UnitsMinor, DefaultExpirySeconds: int64(a.opts.DefaultExpiry / time.Second),
		CreatedAt: t, UpdatedAt: t}
	for dst, v := range map[*string]*string{&site.LogoURL: in.LogoURL, &site.PrimaryColor: in.PrimaryColor, &site.Font: in.Font, &site.CornerStyle: in.CornerStyle} {
		if v != nil && *v != "" {
			*dst = *v
		}
	}
	if in.AmountUnits != nil {
		site.AmountUnits = *in.AmountUnits
	}
	if in.DefaultExpiry != nil {
		site.DefaultExpirySeconds = int64(*in.DefaultExpiry / time.Second)
	}
	if in.IPNVersion != nil {
		site.IPNVersion = *in.IPNVersion
	}
	if in.DefaultLanguage != nil {
		site.DefaultLanguage = *in.DefaultLanguage
	}
	if in.RequireEmail != nil {
		site.RequireEmail = *in.RequireEmail
	}
	if in.TimeZone != nil {
		site.TimeZone = *in.TimeZone
	}
	if site.DefaultExpirySeconds == 0 {
		site.DefaultExpirySeconds = int64(24 * time.Hour / time.Second)
	}
	return site, a.store.CreateSite(ctx, site)
}

func (a *API) getSite(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	site, err := a.store.GetSite(r.Context(), key.OrganizationID, r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "site") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, viewSite(site))
}

// listSites answers the organization's sites, oldest first.
func (a *API) listSites(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	sites, err := a.store.ListSites(r.Context(), key.OrganizationID)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	out := make([]siteView, 0, len(sites))
	for _, st := range sites {
		out = append(out, viewSite(st))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out})
}

func (a *API) patchSite(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req siteRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.Slug != nil {
		httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "slug", "a site's slug cannot be changed")
		return
	}
	in, err := req.settings()
	if err == nil {
		var site *tenant.Site
		if site, err = a.store.UpdateSite(r.Context(), key.OrganizationID, r.PathValue("id"), in); err == nil {
			httpx.WriteJSON(w, http.StatusOK, viewSite(site))
			return
		}
	}
	httpx.Fail(w, r, a.log, err, "site")
}

// deleteSite hides a site that has no open checkouts; its old checkouts,
// receipts and notifications still find it.
func (a *API) deleteSite(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if httpx.Fail(w, r, a.log, a.store.DeleteSite(r.Context(), key.OrganizationID, r.PathValue("id")), "site") {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
