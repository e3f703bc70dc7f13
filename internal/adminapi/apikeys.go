package adminapi

import (
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/plaintext"
	"github.com/pgw/pgw/internal/store"
)

// maxKeyGrace is the longest a rotated key's previous secret stays valid.
const maxKeyGrace = 7 * 24 * time.Hour

// apiKeyView is a key as the API shows it; Secret only in the answer that
// created or rotated it.
type apiKeyView struct {
	ID                       string     `json:"id"`
	Name                     string     `json:"name"`
	Mode                     string     `json:"mode"`
	Status                   string     `json:"status"`
	Scopes                   []string   `json:"scopes"`
	AllowedIPs               []string   `json:"allowedIps"`
	Prefix                   string     `json:"prefix"`
	Secret                   string     `json:"secret,omitempty"`
	PreviousSecretValidUntil *time.Time `json:"previousSecretValidUntil,omitempty"`
	CreatedAt                time.Time  `json:"createdAt"`
	LastUsedAt               *time.Time `json:"lastUsedAt,omitempty"`
	RevokedAt                *time.Time `json:"revokedAt,omitempty"`
}

func (a *API) viewKey(k *auth.APIKey) apiKeyView {
	v := apiKeyView{ID: k.ID, Name: k.Name, Mode: string(k.Mode), Status: "active", Scopes: k.ScopeList(),
		AllowedIPs: k.IPList(), Prefix: "sk_" + string(k.Mode) + "_" + k.ID, CreatedAt: k.CreatedAt}
	at := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	if !k.Active() {
		v.Status = "revoked"
	}
	if k.PreviousSecretHash != "" && a.opts.Now().Before(k.PreviousUntil) {
		v.PreviousSecretValidUntil = at(k.PreviousUntil)
	}
	v.LastUsedAt, v.RevokedAt = at(k.LastUsedAt), at(k.RevokedAt)
	return v
}

// apiKeyRequest creates or changes a key; a field left out is the default
// (create: the caller's scopes, any address) or left as it is (update).
type apiKeyRequest struct {
	Name       *string   `json:"name"`
	Mode       *string   `json:"mode"`
	Scopes     *[]string `json:"scopes"`
	AllowedIPs *[]string `json:"allowedIps"`
}

// change checks the request against the calling key: a key hands on no scope
// it does not hold itself, and makes keys of its own mode only.
func (req *apiKeyRequest) change(caller *auth.APIKey) (store.APIKeyChange, error) {
	var ch store.APIKeyChange
	if n := req.Name; n != nil {
		name := strings.TrimSpace(*n)
		if !plaintext.Valid(name) || name == "" || len(name) > 100 {
			return ch, errs.Refused("validation_error", "name", "name must be plain text of 1 to 100 bytes")
		}
		ch.Name = &name
	}
	if m := req.Mode; m != nil && *m != string(caller.Mode) {
		return ch, errs.Refused("validation_error", "mode", "a "+string(caller.Mode)+" key manages "+string(caller.Mode)+" keys only")
	}
	if sc := req.Scopes; sc != nil {
		if len(*sc) == 0 || len(*sc) > 64 {
			return ch, errs.Refused("validation_error", "scopes", "scopes must list 1 to 64 grants")
		}
		ch.Scopes = []string{}
		for _, s := range *sc {
			if !auth.ValidScope(s) {
				return ch, errs.Refused("validation_error", "scopes", fmt.Sprintf("%q is not a scope (resource:action, resource:* or *)", s))
			}
			if !caller.Covers(s) {
				return ch, errs.New(errs.Forbidden, "forbidden", "this API key cannot grant "+s+", which it does not hold")
			}
			if !slices.Contains(ch.Scopes, s) {
				ch.Scopes = append(ch.Scopes, s)
			}
		}
	}
	if ips := req.AllowedIPs; ips != nil {
		list, err := auth.ParseAllowedIPs(*ips)
		if err != nil {
			return ch, errs.Refused("validation_error", "allowedIps", "allowedIps: "+err.Error())
		}
		ch.AllowedIPs = list
	}
	return ch, nil
}

// ownOrg answers 404 unless the path's organization is the key's own.
func ownOrg(w http.ResponseWriter, r *http.Request, key *auth.APIKey) bool {
	if r.PathValue("orgId") != key.OrganizationID {
		httpx.WriteError(w, r, http.StatusNotFound, "not_found", "organization not found")
		return false
	}
	return true
}

func (a *API) listKeys(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if !ownOrg(w, r, key) {
		return
	}
	keys, err := a.store.ListAPIKeys(r.Context(), key.OrganizationID)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	out := make([]apiKeyView, 0, len(keys))
	for _, k := range keys {
		if k.Mode == key.Mode {
			out = append(out, a.viewKey(k))
		}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out})
}

func (a *API) createKey(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if !ownOrg(w, r, key) {
		return
	}
	var req apiKeyRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.Name == nil {
		httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "name", "name is required")
		return
	}
	ch, err := req.change(key)
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	scopes := key.ScopeList()
	if ch.Scopes != nil {
		scopes = ch.Scopes
	}
	k, token := auth.NewKey(key.OrganizationID, *ch.Name, key.Mode, scopes, a.opts.Now())
	k.AllowedIPs = strings.Join(ch.AllowedIPs, " ")
	if httpx.Fail(w, r, a.log, a.store.AddAPIKey(r.Context(), k), "") {
		return
	}
	v := a.viewKey(k)
	v.Secret = token // shown once
	httpx.WriteJSON(w, http.StatusCreated, v)
}

func (a *API) getKey(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if !ownOrg(w, r, key) {
		return
	}
	k, err := a.store.OrgAPIKey(r.Context(), key.OrganizationID, key.Mode, r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "API key") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, a.viewKey(k))
}

func (a *API) updateKey(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if !ownOrg(w, r, key) {
		return
	}
	var req apiKeyRequest
	if !readJSON(w, r, &req) {
		return
	}
	ch, err := req.change(key)
	if err == nil {
		var k *auth.APIKey
		if k, err = a.store.UpdateAPIKey(r.Context(), key.OrganizationID, key.Mode, r.PathValue("id"), ch); err == nil {
			httpx.WriteJSON(w, http.StatusOK, a.viewKey(k))
			return
		}
	}
	httpx.Fail(w, r, a.log, err, "API key")
}

func (a *API) deleteKey(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if !ownOrg(w, r, key) {
		return
	}
	if httpx.Fail(w, r, a.log, a.store.DeleteAPIKey(r.Context(), key.OrganizationID, key.Mode, r.PathValue("id")), "API key") {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) revokeKey(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if !ownOrg(w, r, key) {
		return
	}
	k, err := a.store.OrgAPIKey(r.Context(), key.OrganizationID, key.Mode, r.PathValue("id"))
	if err == nil {
		k, err = a.store.RevokeAPIKey(r.Context(), key.OrganizationID, k.ID)
	}
	if httpx.Fail(w, r, a.log, err, "API key") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, a.viewKey(k))
}

// rotateKey gives a key a new secret; the old one stays valid for the
// request's gracePeriodSeconds (default 0, at most 7 days).
func (a *API) rotateKey(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if !ownOrg(w, r, key) {
		return
	}
	var req struct {
		GracePeriodSeconds *int64 `json:"gracePeriodSeconds"`
	}
	if r.ContentLength != 0 && !readJSON(w, r, &req) {
		return
	}
	var grace time.Duration
	if g := req.GracePeriodSeconds; g != nil {
		if *g < 0 || *g > int64(maxKeyGrace/time.Second) {
			httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "gracePeriodSeconds",
				fmt.Sprintf("gracePeriodSeconds must be from 0 to %d (7 days)", int64(maxKeyGrace/time.Second)))
			return
		}
		grace = time.Duration(*g) * time.Second
	}
	now := a.opts.Now()
	k, token, err := a.store.RotateAPIKey(r.Context(), key.OrganizationID, key.Mode, r.PathValue("id"), now, now.Add(grace))
	if httpx.Fail(w, r, a.log, err, "API key") {
		return
	}
	v := a.viewKey(k)
	v.Secret = token // shown once
	httpx.WriteJSON(w, http.StatusOK, v)
}

// allowedFrom answers 403 when the key's allow-list does not hold the
// request's client address.
func allowedFrom(w http.ResponseWriter, r *http.Request, key *auth.APIKey) bool {
	if key.AllowedIPs == "" {
		return true
	}
	addr, err := netip.ParseAddr(httpx.ClientAddr(r))
	if err != nil || !key.AllowsAddr(addr) {
		httpx.WriteError(w, r, http.StatusForbidden, "ip_not_allowed", "this API key may not be used from this address")
		return false
	}
	return true
}
