package adminapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/adapter/intandem"
	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/tenant"
)

// defaultIntandemAPI is inTandem's API.
const defaultIntandemAPI = "https://api.vcita.biz"

// maxFrameOrigins bounds the inTandem origins of a connection.
const maxFrameOrigins = 10

type intandemView struct {
	SiteID       string    `json:"siteId"`
	APIBase      string    `json:"apiBase"`
	BusinessUID  string    `json:"businessUid"`
	AccessToken  string    `json:"accessToken"` // masked
	FrameOrigins []string  `json:"frameOrigins"`
	AppName      string    `json:"appName"`
	Mode         string    `json:"mode"`
	Connected    bool      `json:"connected"`
	RedirectURI  string    `json:"redirectUri"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

func (a *API) viewIntandem(c *intandem.Connection) intandemView {
	masked := "…"
	if len(c.Token) > 8 {
		masked = "…" + c.Token[len(c.Token)-4:]
	}
	return intandemView{SiteID: c.SiteID, APIBase: c.APIBase, BusinessUID: c.BusinessUID, AccessToken: masked,
		FrameOrigins: append([]string{}, c.Origins()...), AppName: c.AppName, Mode: string(c.Mode), Connected: c.Connected,
		RedirectURI: a.opts.PaymentBaseURL + "/intandem", UpdatedAt: c.UpdatedAt}
}

func (a *API) getIntandem(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if _, err := a.store.GetSite(r.Context(), key.OrganizationID, r.PathValue("id")); httpx.Fail(w, r, a.log, err, "site") {
		return
	}
	c, err := a.intandem.ConnectionBySite(r.Context(), r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "inTandem connection") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, a.viewIntandem(c))
}

// putIntandem sets a site's inTandem connection: {apiBase?, businessUid,
// accessToken, frameOrigins[], appName?, mode?}.
// intandemRequest connects a site to an inTandem business.
type intandemRequest struct {
	APIBase      string   `json:"apiBase"`
	BusinessUID  string   `json:"businessUid"`
	AccessToken  string   `json:"accessToken"`
	FrameOrigins []string `json:"frameOrigins"`
	AppName      string   `json:"appName"`
	Mode         string   `json:"mode"`
}

// check fills in the defaults and refuses what is wrong.
func (req *intandemRequest) check() error {
	bad := func(field, msg string) error { return errs.Refused("validation_error", field, msg) }
	if req.APIBase == "" {
		req.APIBase = defaultIntandemAPI
	}
	if checkout.CheckURL("apiBase", req.APIBase) != nil {
		return bad("apiBase", "apiBase must be an absolute http or https URL")
	}
	if req.BusinessUID == "" || len(req.BusinessUID) > 100 || strings.ContainsAny(req.BusinessUID, " /?#") {
		return bad("businessUid", "businessUid is required (the inTandem business uid, also called pivot id)")
	}
	if req.AccessToken == "" || len(req.AccessToken) > 4096 {
		return bad("accessToken", "accessToken is required (the business's inTandem access token)")
	}
	if len(req.FrameOrigins) > maxFrameOrigins {
		return bad("frameOrigins", fmt.Sprintf("at most %d frame origins", maxFrameOrigins))
	}
	for _, o := range req.FrameOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" {
			return bad("frameOrigins", "each frame origin must look like https://app.vcita.com")
		}
	}
	if req.AppName == "" {
		req.AppName = "pgw"
	}
	if strings.Trim(req.AppName, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" || len(req.AppName) > 50 {
		return bad("appName", "appName must be letters and digits (the app's code name)")
	}
	if req.Mode == "" {
		req.Mode = string(checkout.ModeTest)
	}
	if m := checkout.Mode(req.Mode); m != checkout.ModeTest && m != checkout.ModeLive {
		return bad("mode", "mode must be test or live")
	}
	return nil
}

func (a *API) putIntandem(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	site, err := a.store.GetSite(r.Context(), key.OrganizationID, r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "site") {
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req intandemRequest
	if !decodeJSON(w, r, body, &req) {
		return
	}
	c, err := a.connectIntandem(r.Context(), site, &req)
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, a.viewIntandem(c))
}

// connectIntandem connects site to the business of req once inTandem
// confirms that the access token is that business's own.
func (a *API) connectIntandem(ctx context.Context, site *tenant.Site, req *intandemRequest) (*intandem.Connection, error) {
	if err := req.check(); err != nil {
		return nil, err
	}
	// Only a holder of the business's own token may claim it: inTandem says
	// whose token it is before any conflict is reported.
	owner, err := intandem.NewClient(req.APIBase, req.AccessToken, a.opts.IntandemClient).BusinessOfToken(ctx)
	var ae *intandem.APIError
	switch {
	case errors.As(err, &ae):
		return nil, errs.Refused("validation_error", "accessToken", "inTandem does not accept this access token")
	case err != nil:
		a.log.Warn("asking inTandem whose token it is", "err", err)
		return nil, errs.New(errs.Upstream, "intandem_unreachable", "inTandem could not be asked whose access token this is; try again")
	case owner != req.BusinessUID:
		return nil, errs.Refused("validation_error", "accessToken", "this access token belongs to another inTandem business than businessUid")
	}
	t := a.opts.Now()
	c := &intandem.Connection{SiteID: site.ID, OrganizationID: site.OrganizationID, APIBase: strings.TrimRight(req.APIBase, "/"),
		BusinessUID: req.BusinessUID, Token: req.AccessToken, FrameOrigins: strings.Join(req.FrameOrigins, " "),
		AppName: req.AppName, Mode: checkout.Mode(req.Mode), CreatedAt: t, UpdatedAt: t}
	if err := a.intandem.SaveConnection(ctx, c); err != nil {
		return nil, err
	}
	return a.intandem.ConnectionBySite(ctx, site.ID)
}

func (a *API) deleteIntandem(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if httpx.Fail(w, r, a.log, a.intandem.DeleteConnection(r.Context(), key.OrganizationID, r.PathValue("id")), "inTandem connection") {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
