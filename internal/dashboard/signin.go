package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/limits"
	"github.com/pgw/pgw/internal/plaintext"
	"github.com/pgw/pgw/internal/tenant"
	views "github.com/pgw/pgw/templates/dashboard"
)

// signinKeys are the counts a sign-in takes: per email and client, per
// email, and per client.
func (d *Dashboard) signinKeys(email, client string) []limits.Key {
	email = strings.ToLower(email)
	l := d.opts.SigninLimits
	return []limits.Key{
		{Bucket: "signin:email-client:" + email + "|" + client, Rule: l.PerEmailClient},
		{Bucket: "signin:email:" + email, Rule: l.PerEmail},
		{Bucket: "signin:client:" + client, Rule: l.PerClient},
	}
}

func (d *Dashboard) signInFrame(errMsg string) views.Frame {
	return views.Frame{Title: "Sign in", CSS: d.assets.URL("css/dashboard.css"), Script: d.assets.URL("js/dashboard.js"), Error: errMsg}
}

// localNext is where to go after signing in: a dashboard path, never
// another site.
func localNext(next string) string {
	if !strings.HasPrefix(next, "/dashboard/") || strings.ContainsAny(next, "\\\r\n") || len(next) > 2048 {
		return "/dashboard/overview"
	}
	return next
}

func (d *Dashboard) signInPage(w http.ResponseWriter, r *http.Request) {
	next := localNext(r.URL.Query().Get("next"))
	if s, err := d.load(r.Context(), d.cookie(r)); err == nil && s != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	d.render(w, r, http.StatusOK, views.SignIn(d.signInFrame(""), "", next))
}

// hashSlot waits briefly for one of the password hashes that may run at
// once (each takes 64 MiB); false means the caller answers 429, whose
// Retry-After it has set.
func (d *Dashboard) hashSlot(w http.ResponseWriter, r *http.Request) (release func(), ok bool) {
	t := time.NewTimer(hashWait)
	defer t.Stop()
	select {
	case d.hashes <- struct{}{}:
		return func() { <-d.hashes }, true
	case <-t.C:
		w.Header().Set("Retry-After", "2")
		return nil, false
	case <-r.Context().Done():
		return nil, false
	}
}

// hashWait is how long a sign-in waits for a hash slot.
const hashWait = 2 * time.Second

// signIn counts the attempt before the password is hashed, so that
// concurrent tries cannot pass the limits together, and gives the counts
// back when the password was right.
func (d *Dashboard) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	email := strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	next := localNext(r.PostFormValue("next"))
	if len(email) > 320 || len(password) > 1024 || !plaintext.Valid(email) || !plaintext.Valid(password) {
		d.render(w, r, http.StatusUnauthorized, views.SignIn(d.signInFrame("The email or password is not right."), "", next))
		return
	}
	keys := d.signinKeys(email, httpx.ClientAddr(r))
	var ex *limits.Exceeded
	if err := d.opts.Limiter.Take(r.Context(), keys...); errors.As(err, &ex) {
		w.Header().Set("Retry-After", strconv.Itoa(ex.RetryAfterSeconds()))
		d.log.Info("dashboard sign-in refused: too many attempts", "limit", strings.SplitN(ex.Bucket, ":", 3)[1])
		d.render(w, r, http.StatusTooManyRequests, views.SignIn(d.signInFrame(
			fmt.Sprintf("Too many sign-in attempts. Try again in %d minutes.", int(ex.RetryAfter/time.Minute)+1)), email, next))
		return
	} else if err != nil {
		d.fail(w, r, d.anonymous(), err)
		return
	}
	release, ok := d.hashSlot(w, r)
	if !ok {
		d.render(w, r, http.StatusTooManyRequests, views.SignIn(d.signInFrame("Too many sign-ins at once. Try again in a moment."), email, next))
		return
	}
	u, err := d.store.FindUserByEmail(r.Context(), email)
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		release()
		d.fail(w, r, d.anonymous(), err)
		return
	}
	hash := d.dummyHash()
	if u != nil {
		hash = u.PasswordHash
	}
	ok = auth.CheckPassword(hash, password) && u != nil
	release()
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
		d.log.Info("dashboard sign-in failed", "ip", httpx.ClientAddr(r))
		d.render(w, r, http.StatusUnauthorized, views.SignIn(d.signInFrame("The email or password is not right."), email, next))
		return
	}
	if err := d.opts.Limiter.Give(r.Context(), keys...); err != nil {
		d.log.Warn("giving back sign-in counts", "err", err)
	}
	if err := d.startSession(w, r, u.ID, orgID); err != nil {
		d.fail(w, r, d.anonymous(), err)
		return
	}
	d.log.Info("dashboard sign-in", "user", u.ID)
	http.Redirect(w, r, next, http.StatusSeeOther)
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
	http.Redirect(w, r, "/dashboard/overview", http.StatusSeeOther)
}
