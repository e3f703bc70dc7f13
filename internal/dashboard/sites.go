package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/lang"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/plaintext"
	"github.com/pgw/pgw/internal/provider/stripe"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
	views "github.com/pgw/pgw/templates/dashboard"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

func (d *Dashboard) listSites(w http.ResponseWriter, r *http.Request, s *signedIn) {
	sites, err := d.store.ListSites(r.Context(), s.orgID)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	var rows []views.SiteRow
	for _, site := range sites {
		rows = append(rows, views.SiteRow{ID: site.ID, Name: site.DisplayName, Slug: site.Slug})
	}
	d.render(w, r, http.StatusOK, views.Sites(d.frame(s, "sites", "Sites"), rows))
}

// options lists the keys of m, sorted, with selected chosen.
// unitOptions are the ways a shop's server may write amounts; "not set" is
// offered only while it is not.
func unitOptions(cur tenant.AmountUnits) []views.Option {
	var out []views.Option
	if cur == tenant.UnitsUnset {
		out = append(out, views.Option{Value: "", Label: "Not set: only currencies with two decimals are taken", Selected: true})
	}
	return append(out,
		views.Option{Value: string(tenant.UnitsMinor), Label: "Minor units, as documented (JPY 7376 is ¥7,376)", Selected: cur == tenant.UnitsMinor},
		views.Option{Value: string(tenant.UnitsCents), Label: "Hundredths, as the official plugins send (JPY 737600 is ¥7,376)", Selected: cur == tenant.UnitsCents})
}

func options(m map[string]string, selected string) []views.Option {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]views.Option, 0, len(keys))
	for _, k := range keys {
		out = append(out, views.Option{Value: k, Label: k, Selected: k == selected})
	}
	return out
}

func (d *Dashboard) showSite(w http.ResponseWriter, r *http.Request, s *signedIn) {
	d.renderSite(w, r, s, http.StatusOK, nil, "")
}

// renderSite shows a site's page; rotation is a secret just made, errMsg a
// problem with what was entered.
func (d *Dashboard) renderSite(w http.ResponseWriter, r *http.Request, s *signedIn, status int, rotation *store.SecretRotation, errMsg string) {
	site, err := d.store.GetSite(r.Context(), s.orgID, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	ps, err := d.store.ListProviders(r.Context(), s.orgID, site.ID)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	b := site.Branding()
	v := views.SitePage{
		ID: site.ID, Name: site.DisplayName, Slug: site.Slug, LogoURL: site.LogoURL, Color: b.PrimaryColor, ContrastWarning: contrastWarning(b.PrimaryColor),
		Fonts: options(tenant.Fonts, b.Font), Corners: options(tenant.Corners, b.CornerStyle),
		Units: unitOptions(site.AmountUnits), Expiry: strconv.FormatInt(site.DefaultExpirySeconds/60, 10),
		IPNVersion: site.IPNVersion,
	}
	v.RequireEmail, v.TimeZone = site.RequireEmail, site.TimeZone
	domains, err := d.store.ListDomains(r.Context(), s.orgID)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	for _, dm := range domains {
		if dm.SiteID == site.ID {
			v.Domains = append(v.Domains, views.DomainRow{ID: dm.ID, Hostname: dm.Hostname, Status: dm.Status, Reason: dm.Reason, Primary: dm.Primary,
				CNAME: d.frontendHost(), TXTName: dm.TXTName(), TXTValue: dm.Token})
		}
	}
	v.Languages = append(v.Languages, views.Option{Value: "", Label: "English (default)", Selected: site.DefaultLanguage == ""})
	for _, code := range lang.Codes() {
		v.Languages = append(v.Languages, views.Option{Value: code, Label: code + " · " + display.Self.Name(language.MustParse(code)),
			Selected: site.DefaultLanguage == code})
	}
	for _, p := range ps {
		row := views.ProviderRow{ID: p.ID, Type: string(p.Type), Name: p.Name, Enabled: p.Enabled}
		if mode, ok := payment.ModeOf(p); ok {
			row.Mode = string(mode)
		}
		switch p.Type {
		case tenant.ProviderSandbox:
			row.Detail = "built-in test cards"
		case tenant.ProviderWire:
			row.Detail = wireDetail(p)
		case tenant.ProviderStripe:
			if cfg, err := stripe.ParseConfig(p.Config); err == nil {
				m := cfg.Masked()
				row.Detail = "secret key " + m["secretKey"] + ", publishable key " + m["publishableKey"]
			}
		}
		v.Providers = append(v.Providers, row)
	}
	if rotation != nil {
		v.NewSecret, v.SecretRotated = rotation.Secret, when(rotation.PreviousUntil)
	}
	conn, err := d.intandem.ConnectionBySite(r.Context(), site.ID)
	switch {
	case errors.Is(err, errs.ErrNotFound):
		v.Intandem = "Not connected. Connect it through the API (PUT /api/v1/sites/" + site.ID + "/intandem)."
	case err != nil:
		d.fail(w, r, s, err)
		return
	case conn.OrganizationID != s.orgID:
		v.Intandem = "Not connected."
	default:
		v.Intandem = "Connected to business " + conn.BusinessUID + " (" + string(conn.Mode) + ")."
		if !conn.Connected {
			v.Intandem = "Disconnected from business " + conn.BusinessUID + " by inTandem."
		}
		v.IntandemConnected = true
		v.IntandemDetail = "API " + conn.APIBase + " · app " + conn.AppName + " · may frame the charge form: " + conn.FrameOrigins
	}
	f := d.frameError(s, "sites", site.DisplayName, errMsg)
	d.render(w, r, status, views.Site(f, v))
}

func (d *Dashboard) updateSite(w http.ResponseWriter, r *http.Request, s *signedIn) {
	id := r.PathValue("id")
	name := strings.TrimSpace(r.PostFormValue("name"))
	logo := strings.TrimSpace(r.PostFormValue("logo_url"))
	color, font, corners := r.PostFormValue("color"), r.PostFormValue("font"), r.PostFormValue("corners")
	if name == "" || len(name) > 100 {
		d.renderSite(w, r, s, http.StatusUnprocessableEntity, nil, "The name must be 1 to 100 characters.")
		return
	}
	if err := tenant.ValidateBranding(logo, color, font, corners); err != nil {
		d.renderSite(w, r, s, http.StatusUnprocessableEntity, nil, "Not saved: "+err.Error()+".")
		return
	}
	minutes, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("expiry")), 10, 64)
	if err != nil || minutes < 1 || minutes > 60*24*90 {
		d.renderSite(w, r, s, http.StatusUnprocessableEntity, nil, "The default expiry must be from 1 minute to 90 days (129600 minutes).")
		return
	}
	expiry := time.Duration(minutes) * time.Minute
	settings := store.SiteSettings{
		DisplayName: &name, LogoURL: &logo, PrimaryColor: &color, Font: &font, CornerStyle: &corners, DefaultExpiry: &expiry,
	}
	requireEmail := r.PostFormValue("require_email") == "1"
	settings.RequireEmail = &requireEmail
	zone := strings.TrimSpace(r.PostFormValue("time_zone"))
	if _, err := time.LoadLocation(zone); err != nil || len(zone) > 64 || zone == "Local" {
		d.renderSite(w, r, s, http.StatusUnprocessableEntity, nil, "The time zone must be an IANA name such as Europe/Berlin, or blank for UTC.")
		return
	}
	settings.TimeZone = &zone
	if l, ok := lang.Spoken(r.PostFormValue("language")); ok {
		settings.DefaultLanguage = &l
	} else {
		d.renderSite(w, r, s, http.StatusUnprocessableEntity, nil, "Choose one of the languages listed.")
		return
	}
	switch units := tenant.AmountUnits(r.PostFormValue("units")); units {
	case tenant.UnitsMinor, tenant.UnitsCents:
		settings.AmountUnits = &units
	case tenant.UnitsUnset: // left as it is
	default:
		d.renderSite(w, r, s, http.StatusUnprocessableEntity, nil, "Choose how the shop's server writes amounts.")
		return
	}
	_, err = d.store.UpdateSite(r.Context(), s.orgID, id, settings)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("site updated from the dashboard", "site", id, "user", s.user.ID)
	d.back(w, r, s, "/dashboard/sites/"+url.PathEscape(id), "Saved.", "")
}

// addStripe connects a Stripe account; its secrets are sealed and never shown again.
func (d *Dashboard) addStripe(w http.ResponseWriter, r *http.Request, s *signedIn) {
	site, err := d.store.GetSite(r.Context(), s.orgID, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	cfg := stripe.Config{
		SecretKey:      strings.TrimSpace(r.PostFormValue("secret_key")),
		PublishableKey: strings.TrimSpace(r.PostFormValue("publishable_key")),
		WebhookSecret:  strings.TrimSpace(r.PostFormValue("webhook_secret")),
	}
	if _, err := cfg.Mode(); err != nil {
		d.renderSite(w, r, s, http.StatusUnprocessableEntity, nil, "Not added: "+err.Error()+".")
		return
	}
	p := &tenant.Provider{ID: ids.New("prov"), OrganizationID: s.orgID, SiteID: site.ID, Type: tenant.ProviderStripe,
		Name: "Card", Config: cfg.JSON(), Enabled: true, CreatedAt: d.opts.Now()}
	if err := d.store.CreateProvider(r.Context(), p); err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("Stripe connected from the dashboard", "site", site.ID, "provider", p.ID, "user", s.user.ID)
	d.back(w, r, s, "/dashboard/sites/"+url.PathEscape(site.ID), "Stripe is connected.", "")
}

func (d *Dashboard) toggleProvider(w http.ResponseWriter, r *http.Request, s *signedIn) {
	id := r.PathValue("id")
	enabled := r.PostFormValue("enabled") == "true"
	if err := d.store.SetProviderEnabled(r.Context(), s.orgID, id, r.PathValue("providerId"), enabled); err != nil {
		d.fail(w, r, s, err)
		return
	}
	msg := "The payment method is disabled."
	if enabled {
		msg = "The payment method is enabled."
	}
	d.back(w, r, s, "/dashboard/sites/"+url.PathEscape(id), msg, "")
}

// rotateSecret makes a new signing secret and shows it once, on this answer only.
func (d *Dashboard) rotateSecret(w http.ResponseWriter, r *http.Request, s *signedIn) {
	rot, err := d.store.RotateWebhookSecret(r.Context(), s.orgID, r.PathValue("id"), d.opts.SecretOverlap)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("signing secret rotated from the dashboard", "site", r.PathValue("id"), "user", s.user.ID)
	d.renderSite(w, r, s, http.StatusOK, rot, "")
}

// disconnectIntandem removes the site's inTandem connection; inTandem's
// requests for the site are refused from then on.
func (d *Dashboard) disconnectIntandem(w http.ResponseWriter, r *http.Request, s *signedIn) {
	id := r.PathValue("id")
	if err := d.intandem.DeleteConnection(r.Context(), s.orgID, id); err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("inTandem disconnected from the dashboard", "site", id, "user", s.user.ID)
	d.back(w, r, s, "/dashboard/sites/"+url.PathEscape(id), "inTandem is disconnected.", "")
}

// contrastWarning explains a brand colour too light for white text (WCAG AA)
// and the darker shade the hosted page uses for its buttons and links.
func contrastWarning(color string) string {
	shade, ok := tenant.Accessible(color)
	if ok {
		return ""
	}
	return fmt.Sprintf("%s has a contrast of %.1f:1 with white text; WCAG AA asks 4.5:1. The payment page uses %s for buttons and links instead.",
		color, tenant.ContrastWithWhite(color), shade)
}

// previewSite shows the site's payment page as main-frontend renders it, with
// the branding the query gives (name, logo_url, color, font, corners) in
// place of the saved one where it is valid.
func (d *Dashboard) previewSite(w http.ResponseWriter, r *http.Request, s *signedIn) {
	site, err := d.store.GetSite(r.Context(), s.orgID, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	if d.opts.Preview == nil {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	if n := strings.TrimSpace(q.Get("name")); n != "" && len(n) <= 100 && plaintext.Valid(n) {
		site.DisplayName = n
	}
	logo, color, font, corners := site.LogoURL, site.PrimaryColor, site.Font, site.CornerStyle
	for dst, key := range map[*string]string{&logo: "logo_url", &color: "color", &font: "font", &corners: "corners"} {
		if q.Has(key) {
			*dst = strings.TrimSpace(q.Get(key))
		}
	}
	if tenant.ValidateBranding(logo, color, font, corners) == nil {
		site.LogoURL, site.PrimaryColor, site.Font, site.CornerStyle = logo, color, font, corners
	}
	d.opts.Preview(w, r, site)
}
