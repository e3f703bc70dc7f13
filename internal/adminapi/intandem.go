package adminapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/adapter/intandem"
	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/httpx"
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
	c, err := intandem.NewData(a.store).ConnectionBySite(r.Context(), r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "inTandem connection") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, a.viewIntandem(c))
}

// putIntandem sets a site's inTandem connection: {apiBase?, businessUid,
// accessToken, frameOrigins[], appName?, mode?}.
func (a *API) putIntandem(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	site, err := a.store.GetSite(r.Context(), key.OrganizationID, r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "site") {
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req struct {
		APIBase      string   `json:"apiBase"`
		BusinessUID  string   `json:"businessUid"`
		AccessToken  string   `json:"accessToken"`
		FrameOrigins []string `json:"frameOrigins"`
		AppName      string   `json:"appName"`
		Mode         string   `json:"mode"`
	}
	if !decodeJSON(w, r, body, &req) {
		return
	}
	bad := func(field, msg string) {
		httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", field, msg)
	}
	if req.APIBase == "" {
		req.APIBase = defaultIntandemAPI
	}
	if checkout.CheckURL("apiBase", req.APIBase) != nil {
		bad("apiBase", "apiBase must be an absolute http or https URL")
		return
	}
	if req.BusinessUID == "" || len(req.BusinessUID) > 100 || strings.ContainsAny(req.BusinessUID, " /?#") {
		bad("businessUid", "businessUid is required (the inTandem business uid, also called pivot id)")
		return
	}
	if req.AccessToken == "" || len(req.AccessToken) > 4096 {
		bad("accessToken", "accessToken is required (the business's inTandem access token)")
		return
	}
	if len(req.FrameOrigins) > maxFrameOrigins {
		bad("frameOrigins", fmt.Sprintf("at most %d frame origins", maxFrameOrigins))
		return
	}
	for _, o := range req.FrameOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" {
			bad("frameOrigins", "each frame origin must look like https://app.vcita.com")
			return
		}
	}
	if req.AppName == "" {
		req.AppName = "pgw"
	}
	if strings.Trim(req.AppName, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" || len(req.AppName) > 50 {
		bad("appName", "appName must be letters and digits (the app's code name)")
		return
	}
	mode := checkout.Mode(req.Mode)
	if mode == "" {
		mode = checkout.ModeTest
	}
	if mode != checkout.ModeTest && mode != checkout.ModeLive {
		bad("mode", "mode must be test or live")
		return
	}
	// Only a holder of the business's own token may claim it: inTandem says
	// whose token it is before any conflict is reported.
	owner, err := intandem.NewClient(req.APIBase, req.AccessToken, a.opts.IntandemClient).BusinessOfToken(r.Context())
	var ae *intandem.APIError
	switch {
	case errors.As(err, &ae):
		bad("accessToken", "inTandem does not accept this access token")
		return
	case err != nil:
		a.log.Warn("asking inTandem whose token it is", "err", err)
		httpx.WriteError(w, r, http.StatusBadGateway, "intandem_unreachable", "inTandem could not be asked whose access token this is; try again")
		return
	case owner != req.BusinessUID:
		bad("accessToken", "this access token belongs to another inTandem business than businessUid")
		return
	}
	t := a.opts.Now()
	c := &intandem.Connection{SiteID: site.ID, OrganizationID: key.OrganizationID, APIBase: strings.TrimRight(req.APIBase, "/"),
		BusinessUID: req.BusinessUID, Token: req.AccessToken, FrameOrigins: strings.Join(req.FrameOrigins, " "),
		AppName: req.AppName, Mode: mode, CreatedAt: t, UpdatedAt: t}
	if err := intandem.NewData(a.store).SaveConnection(r.Context(), c); err != nil {
		if strings.Contains(err.Error(), "connected to another site") {
			httpx.WriteFieldError(w, r, http.StatusConflict, "conflict", "businessUid", err.Error())
			return
		}
		httpx.Internal(w, r, a.log, err)
		return
	}
	saved, err := intandem.NewData(a.store).ConnectionBySite(r.Context(), site.ID)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, a.viewIntandem(saved))
}

func (a *API) deleteIntandem(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if httpx.Fail(w, r, a.log, intandem.NewData(a.store).DeleteConnection(r.Context(), key.OrganizationID, r.PathValue("id")), "inTandem connection") {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
