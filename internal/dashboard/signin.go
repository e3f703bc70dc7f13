package dashboard

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/tenant"
	"github.com/pgw/pgw/templates"
)

// emailKey is the throttle's key of the failed passwords of an email.
func emailKey(email string) string { return "email:" + strings.ToLower(email) }

func (d *Dashboard) signInFrame(errMsg string) templates.Dash {
	return templates.Dash{Title: "Sign in", CSS: d.assets.URL("css/dashboard.css"), Script: d.assets.URL("js/dashboard.js"), Error: errMsg}
}

func (d *Dashboard) signInPage(w http.ResponseWriter, r *http.Request) {
	if s, err := d.load(r.Context(), d.cookie(r)); err == nil && s != nil {
		http.Redirect(w, r, "/dashboard/checkouts", http.StatusSeeOther)
		return
	}
	d.render(w, r, http.StatusOK, templates.DashSignIn(d.signInFrame(""), ""))
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (d *Dashboard) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	email := strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	now := d.opts.Now()
	byEmail, byIP := emailKey(email), "ip:"+clientIP(r)
	wait := max(d.throttle.blocked(byEmail, now), d.ipLimit.blocked(byIP, now))
	if wait > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait/time.Second)+1))
		d.render(w, r, http.StatusTooManyRequests, templates.DashSignIn(d.signInFrame(
			fmt.Sprintf("Too many failed sign-ins. Try again in %d minutes.", int(wait/time.Minute)+1)), email))
		return
	}
	u, err := d.store.FindUserByEmail(r.Context(), email)
	if err != nil && !errors.Is(err, checkout.ErrNotFound) {
		d.fail(w, r, d.anonymous(), err)
		return
	}
	hash := d.dummyHash()
	if u != nil {
		hash = u.PasswordHash
	}
	ok := auth.CheckPassword(hash, password) && u != nil
	var orgID string
	if ok {
		orgs, err := d.store.UserOrganizations(r.Context(), u.ID)
		if err != nil {
			d.fail(w, r, d.anonymous(), err)
			return
		}
		if len(orgs) == 0 {
			ok = false
		} else {
			orgID = orgs[0].ID
		}
	}
	if !ok {
		d.throttle.fail(byEmail, now)
		d.ipLimit.fail(byIP, now)
		d.log.Info("dashboard sign-in failed", "ip", clientIP(r))
		d.render(w, r, http.StatusUnauthorized, templates.DashSignIn(d.signInFrame("The email or password is not right."), email))
		return
	}
	d.throttle.reset(byEmail)
	if err := d.startSession(w, r, u.ID, orgID); err != nil {
		d.fail(w, r, d.anonymous(), err)
		return
	}
	d.log.Info("dashboard sign-in", "user", u.ID)
	http.Redirect(w, r, "/dashboard/checkouts", http.StatusSeeOther)
}

func (d *Dashboard) anonymous() *signedIn {
	return &signedIn{user: &tenant.User{}}
}

func (d *Dashboard) signOut(w http.ResponseWriter, r *http.Request, s *signedIn) {
	if err := d.endSession(w, r, s); err != nil {
		d.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/dashboard/signin", http.StatusSeeOther)
}

// switchOrg moves the session to another organization the user belongs to.
func (d *Dashboard) switchOrg(w http.ResponseWriter, r *http.Request, s *signedIn) {
	org := r.PostFormValue("org")
	if _, err := d.store.GetMember(r.Context(), org, s.user.ID); err != nil {
		d.fail(w, r, s, err)
		return
	}
	if err := d.startSession(w, r, s.user.ID, org); err != nil {
		d.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/dashboard/checkouts", http.StatusSeeOther)
}
