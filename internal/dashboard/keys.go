package dashboard

import (
	"net/http"
	"slices"
	"strings"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	views "github.com/pgw/pgw/templates/dashboard"
)

func (d *Dashboard) listKeys(w http.ResponseWriter, r *http.Request, s *signedIn) {
	d.renderKeys(w, r, s, http.StatusOK, "", "")
}

func (d *Dashboard) renderKeys(w http.ResponseWriter, r *http.Request, s *signedIn, status int, token, errMsg string) {
	keys, err := d.store.ListAPIKeys(r.Context(), s.orgID)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	v := views.KeyPage{NewToken: token}
	// A new key can create and read checkouts, what a shop needs; anything
	// more is ticked on purpose.
	for _, sc := range auth.DefaultScopes {
		v.Scopes = append(v.Scopes, views.Option{Value: sc, Label: sc,
			Selected: sc == auth.ScopeCheckoutCreate || sc == auth.ScopeCheckoutRead})
	}
	for _, sc := range auth.KeyScopes {
		v.Scopes = append(v.Scopes, views.Option{Value: sc, Label: sc})
	}
	for _, k := range keys {
		row := views.KeyRow{ID: k.ID, Name: k.Name, Mode: string(k.Mode), Scopes: strings.Join(k.ScopeList(), " "),
			Created: when(k.CreatedAt), LastUsed: when(k.LastUsedAt), Active: k.Active()}
		if !k.Active() {
			row.Revoked = when(k.RevokedAt)
		}
		v.Rows = append(v.Rows, row)
	}
	f := d.frameError(s, "keys", "API keys", errMsg)
	d.render(w, r, status, views.Keys(f, v))
}

// createKey makes a key and shows its secret once, on this answer only.
func (d *Dashboard) createKey(w http.ResponseWriter, r *http.Request, s *signedIn) {
	if err := r.ParseForm(); err != nil {
		d.renderKeys(w, r, s, http.StatusBadRequest, "", "The form could not be read.")
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if name == "" || len(name) > 100 {
		d.renderKeys(w, r, s, http.StatusUnprocessableEntity, "", "The name must be 1 to 100 characters.")
		return
	}
	mode := checkout.Mode(r.PostForm.Get("mode"))
	if mode != checkout.ModeLive && mode != checkout.ModeTest {
		d.renderKeys(w, r, s, http.StatusUnprocessableEntity, "", "The mode must be live or test.")
		return
	}
	var scopes []string
	for _, sc := range r.PostForm["scope"] {
		if !slices.Contains(auth.DefaultScopes, sc) && !slices.Contains(auth.KeyScopes, sc) {
			d.renderKeys(w, r, s, http.StatusUnprocessableEntity, "", "Unknown scope "+sc+".")
			return
		}
		scopes = append(scopes, sc)
	}
	if len(scopes) == 0 {
		d.renderKeys(w, r, s, http.StatusUnprocessableEntity, "", "Choose at least one scope.")
		return
	}
	k, token := auth.NewKey(s.orgID, name, mode, scopes, d.opts.Now())
	if err := d.store.CreateAPIKey(r.Context(), k); err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("API key created from the dashboard", "key", k.ID, "user", s.user.ID)
	d.renderKeys(w, r, s, http.StatusCreated, token, "")
}

func (d *Dashboard) revokeKey(w http.ResponseWriter, r *http.Request, s *signedIn) {
	k, err := d.store.RevokeAPIKey(r.Context(), s.orgID, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("API key revoked from the dashboard", "key", k.ID, "user", s.user.ID)
	d.back(w, r, s, "/dashboard/keys", "The key "+k.Name+" is revoked.", "")
}
