package dashboard

import (
	"errors"
	"net/http"
	"net/mail"
	"strings"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
	views "github.com/pgw/pgw/templates/dashboard"
)

func (d *Dashboard) listUsers(w http.ResponseWriter, r *http.Request, s *signedIn) {
	d.renderUsers(w, r, s, http.StatusOK, "", "")
}

func (d *Dashboard) renderUsers(w http.ResponseWriter, r *http.Request, s *signedIn, status int, password, errMsg string) {
	ms, err := d.store.ListMembers(r.Context(), s.orgID)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	v := views.UserPage{Roles: roleOptions(tenant.RoleViewer), NewPassword: password}
	for _, m := range ms {
		v.Rows = append(v.Rows, views.UserRow{ID: m.User.ID, Email: m.User.Email, Name: m.User.Name,
			Since: when(m.Since), Roles: roleOptions(m.Role), Self: m.User.ID == s.user.ID})
	}
	f := d.frameError(s, "users", "Users", errMsg)
	d.render(w, r, status, views.Users(f, v))
}

func parseRole(v string) (tenant.Role, bool) {
	r := tenant.Role(v)
	return r, rank(r) > 0
}

// addUser adds a member: an existing user joins; a new email gets an account
// with a generated password, shown once.
func (d *Dashboard) addUser(w http.ResponseWriter, r *http.Request, s *signedIn) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	name := strings.TrimSpace(r.PostFormValue("name"))
	role, ok := parseRole(r.PostFormValue("role"))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		d.renderUsers(w, r, s, http.StatusUnprocessableEntity, "", "Enter an email address such as ana@example.com.")
		return
	}
	if !ok || len(name) > 100 {
		d.renderUsers(w, r, s, http.StatusUnprocessableEntity, "", "Choose a role, and a name of at most 100 characters.")
		return
	}
	existing, err := d.store.FindUserByEmail(r.Context(), email)
	switch {
	case err == nil:
		err = d.store.AddMember(r.Context(), s.orgID, existing.ID, role)
		if errors.Is(err, store.ErrAlreadyMember) {
			d.renderUsers(w, r, s, http.StatusConflict, "", email+" is already a member.")
			return
		}
		if err != nil {
			d.fail(w, r, s, err)
			return
		}
		d.back(w, r, s, "/dashboard/users", email+" joined as "+string(role)+".", "")
	case errors.Is(err, errs.ErrNotFound):
		password := ids.Token(20)
		hash, err := auth.HashPassword(password)
		if err != nil {
			d.fail(w, r, s, err)
			return
		}
		if name == "" {
			name, _, _ = strings.Cut(email, "@")
		}
		u := &tenant.User{ID: ids.New("usr"), Email: email, Name: name, PasswordHash: hash, CreatedAt: d.opts.Now()}
		if err := d.store.CreateUser(r.Context(), u, s.orgID, role); err != nil {
			d.fail(w, r, s, err)
			return
		}
		d.log.Info("user created from the dashboard", "newUser", u.ID, "user", s.user.ID)
		d.renderUsers(w, r, s, http.StatusCreated, password, "")
	default:
		d.fail(w, r, s, err)
	}
}

func (d *Dashboard) setRole(w http.ResponseWriter, r *http.Request, s *signedIn) {
	role, ok := parseRole(r.PostFormValue("role"))
	if !ok {
		d.back(w, r, s, "/dashboard/users", "", "Choose admin, editor or viewer.")
		return
	}
	d.memberChanged(w, r, s, d.store.SetMemberRole(r.Context(), s.orgID, r.PathValue("id"), role), "The role is changed.")
}

func (d *Dashboard) removeUser(w http.ResponseWriter, r *http.Request, s *signedIn) {
	id := r.PathValue("id")
	if id == s.user.ID {
		d.back(w, r, s, "/dashboard/users", "", "You cannot remove yourself.")
		return
	}
	d.memberChanged(w, r, s, d.store.RemoveMember(r.Context(), s.orgID, id), "The user is removed from the organization.")
}

// memberChanged answers a change of a member that ended with err.
func (d *Dashboard) memberChanged(w http.ResponseWriter, r *http.Request, s *signedIn, err error, done string) {
	switch {
	case errors.Is(err, store.ErrLastAdmin):
		d.back(w, r, s, "/dashboard/users", "", "The organization needs at least one admin.")
	case err != nil:
		d.fail(w, r, s, err)
	default:
		d.back(w, r, s, "/dashboard/users", done, "")
	}
}

// roleOptions lists the roles with selected chosen.
func roleOptions(selected tenant.Role) []views.Option {
	var out []views.Option
	for _, r := range []tenant.Role{tenant.RoleAdmin, tenant.RoleEditor, tenant.RoleViewer} {
		out = append(out, views.Option{Value: string(r), Label: string(r), Selected: r == selected})
	}
	return out
}
