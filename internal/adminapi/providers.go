package adminapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/plaintext"
	"github.com/pgw/pgw/internal/provider/stripe"
	"github.com/pgw/pgw/internal/provider/wire"
	"github.com/pgw/pgw/internal/tenant"
)

type providerView struct {
	ID        string              `json:"id"`
	SiteID    string              `json:"siteId"`
	Type      tenant.ProviderType `json:"type"`
	Name      string              `json:"name"`
	Enabled   bool                `json:"enabled"`
	Mode      string              `json:"mode,omitempty"`
	Config    map[string]string   `json:"config"`
	CreatedAt time.Time           `json:"createdAt"`
}

// viewProvider never shows a secret in full.
func viewProvider(p *tenant.Provider) providerView {
	v := providerView{ID: p.ID, SiteID: p.SiteID, Type: p.Type, Name: p.Name, Enabled: p.Enabled, Config: map[string]string{}, CreatedAt: p.CreatedAt}
	if mode, ok := payment.ModeOf(p); ok {
		v.Mode = string(mode)
	}
	switch p.Type {
	case tenant.ProviderWire:
		if cfg, err := wire.ParseConfig(p.Config); err == nil {
			v.Config = map[string]string{"accountHolder": cfg.AccountHolder, "bankName": cfg.BankName, "iban": cfg.IBAN,
				"bic": cfg.BIC, "instructions": cfg.Instructions, "paymentWindowDays": strconv.Itoa(cfg.WindowDays),
				"currencies": strings.Join(cfg.Currencies, ",")}
		}
	case tenant.ProviderStripe:
		if cfg, err := stripe.ParseConfig(p.Config); err == nil {
			v.Config = cfg.Masked()
		}
	}
	return v
}

func (a *API) listProviders(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if _, err := a.store.GetSite(r.Context(), key.OrganizationID, r.PathValue("id")); httpx.Fail(w, r, a.log, err, "site") {
		return
	}
	ps, err := a.store.ListProviders(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	out := make([]providerView, 0, len(ps))
	for _, p := range ps {
		if v := viewProvider(p); v.Mode == string(key.Mode) {
			out = append(out, v)
		}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out})
}

func (a *API) createProvider(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	site, err := a.store.GetSite(r.Context(), key.OrganizationID, r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "site") {
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req struct {
		Type   tenant.ProviderType `json:"type"`
		Name   string              `json:"name"`
		Config json.RawMessage     `json:"config"`
	}
	if !decodeJSON(w, r, body, &req) {
		return
	}
	p := &tenant.Provider{ID: ids.New("prov"), OrganizationID: key.OrganizationID, SiteID: site.ID, Type: req.Type,
		Name: strings.TrimSpace(req.Name), Config: "{}", Enabled: true, CreatedAt: a.opts.Now()}
	switch req.Type {
	case tenant.ProviderSandbox:
		if p.Name == "" {
			p.Name = "Test card (sandbox)"
		}
	case tenant.ProviderStripe:
		var cfg stripe.Config
		if len(req.Config) == 0 || json.Unmarshal(req.Config, &cfg) != nil {
			httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "config",
				"config must hold secretKey, publishableKey and webhookSecret")
			return
		}
		if _, err := cfg.Mode(); err != nil {
			httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "config", err.Error())
			return
		}
		p.Config = cfg.JSON()
		if p.Name == "" {
			p.Name = "Card"
		}
	case tenant.ProviderWire:
		var cfg wire.Config
		if len(req.Config) == 0 || json.Unmarshal(req.Config, &cfg) != nil {
			httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "config",
				"config must hold accountHolder, bankName, iban and bic")
			return
		}
		if httpx.Fail(w, r, a.log, cfg.Normalize(key.Mode), "") {
			return
		}
		p.Config = cfg.JSON()
		if p.Name == "" {
			p.Name = "Bank transfer"
		}
	default:
		httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "type", "type must be sandbox, stripe or wire")
		return
	}
	if len(p.Name) > 100 {
		httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "name", "name is longer than 100 characters")
		return
	}
	if mode := viewProvider(p).Mode; mode != string(key.Mode) {
		httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "config",
			"this "+string(key.Mode)+" key can add "+string(key.Mode)+"-mode providers only; use a "+mode+" key for a "+mode+" provider")
		return
	}
	if err := a.store.CreateProvider(r.Context(), p); err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, viewProvider(p))
}

func (a *API) toggleProvider(enabled bool) handler {
	return func(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
		// A provider of the key's other mode is not found.
		if p, err := a.store.GetProvider(r.Context(), r.PathValue("providerId")); err == nil && viewProvider(p).Mode != string(key.Mode) {
			httpx.WriteError(w, r, http.StatusNotFound, "not_found", "provider not found")
			return
		}
		err := a.store.SetProviderEnabled(r.Context(), key.OrganizationID, r.PathValue("id"), r.PathValue("providerId"), enabled)
		if httpx.Fail(w, r, a.log, err, "provider") {
			return
		}
		p, err := a.store.GetProvider(r.Context(), r.PathValue("providerId"))
		if err != nil {
			httpx.Internal(w, r, a.log, err)
			return
		}
		httpx.WriteJSON(w, http.StatusOK, viewProvider(p))
	}
}

// providerInScope is the key's provider of the path's site, or 404: another
// organization's, another site's and another mode's are not found.
func (a *API) providerInScope(r *http.Request, key *auth.APIKey) (*tenant.Provider, error) {
	p, err := a.store.GetProvider(r.Context(), r.PathValue("providerId"))
	if err != nil {
		return nil, err
	}
	if mode, ok := payment.ModeOf(p); p.OrganizationID != key.OrganizationID || p.SiteID != r.PathValue("id") || !ok || mode != key.Mode {
		return nil, fmt.Errorf("provider %s: %w", p.ID, errs.ErrNotFound)
	}
	return p, nil
}

func (a *API) getProvider(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	p, err := a.providerInScope(r, key)
	if httpx.Fail(w, r, a.log, err, "provider") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, viewProvider(p))
}

// patchProvider takes {name, config}: the fields of config given replace
// the stored ones (secrets are write-only: left out, they stay), and the
// whole is checked again; a provider never changes its mode.
func (a *API) patchProvider(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req struct {
		Name   *string         `json:"name"`
		Config json.RawMessage `json:"config"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	p, err := a.providerInScope(r, key)
	if httpx.Fail(w, r, a.log, err, "provider") {
		return
	}
	if req.Name != nil {
		name := strings.TrimSpace(*req.Name)
		if name == "" || len(name) > 100 || !plaintext.Valid(name) {
			httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "name", "name is plain text of 1 to 100 characters")
			return
		}
		p.Name = name
	}
	if len(req.Config) > 0 {
		field, msg := a.updateConfig(p, req.Config, key)
		if field != "" {
			httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", field, msg)
			return
		}
	}
	if err := a.store.UpdateProvider(r.Context(), p); httpx.Fail(w, r, a.log, err, "provider") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, viewProvider(p))
}

// updateConfig lays the request's config over the stored one and checks
// the result, naming the field that is wrong.
func (a *API) updateConfig(p *tenant.Provider, raw json.RawMessage, key *auth.APIKey) (field, msg string) {
	switch p.Type {
	case tenant.ProviderStripe:
		cfg, err := stripe.ParseConfig(p.Config)
		if err != nil {
			return "config", "the stored configuration cannot be read"
		}
		var in stripe.Config
		if json.Unmarshal(raw, &in) != nil {
			return "config", "config holds secretKey, publishableKey and webhookSecret"
		}
		for dst, v := range map[*string]string{&cfg.SecretKey: in.SecretKey, &cfg.PublishableKey: in.PublishableKey, &cfg.WebhookSecret: in.WebhookSecret} {
			if v != "" {
				*dst = v
			}
		}
		mode, err := cfg.Mode()
		if err != nil {
			return "config", err.Error()
		}
		if mode != key.Mode {
			return "config", "a provider keeps its mode: use " + string(key.Mode) + " keys"
		}
		p.Config = cfg.JSON()
	case tenant.ProviderWire:
		cfg, err := wire.ParseConfig(p.Config)
		if err != nil {
			return "config", "the stored configuration cannot be read"
		}
		if json.Unmarshal(raw, &cfg) != nil {
			return "config", "config holds accountHolder, bankName, iban, bic, instructions, paymentWindowDays and currencies"
		}
		if e, ok := errs.As(cfg.Normalize(key.Mode)); ok {
			return e.Field, e.Message
		}
		p.Config = cfg.JSON()
	default:
		return "config", "the sandbox has no configuration"
	}
	return "", ""
}

// deleteProvider deletes a provider no payment was made with; one that was
// used is 409 provider_in_use (disable it instead).
func (a *API) deleteProvider(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	p, err := a.providerInScope(r, key)
	if httpx.Fail(w, r, a.log, err, "provider") {
		return
	}
	if err := a.store.DeleteProvider(r.Context(), key.OrganizationID, p.SiteID, p.ID); httpx.Fail(w, r, a.log, err, "provider") {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
