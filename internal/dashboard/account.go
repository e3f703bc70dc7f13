package dashboard

import (
	"errors"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/limits"
	views "github.com/pgw/pgw/templates/dashboard"
)

// minPassword is the shortest password accepted, as in `pgw bootstrap`.
const minPassword = 10

func (d *Dashboard) account(w http.ResponseWriter, r *http.Request, s *signedIn) {
	d.render(w, r, http.StatusOK, views.Account(d.frame(s, "account", "Your account")))
}

// changePassword sets a new password after checking the current one, and
// signs the user out everywhere else.
func (d *Dashboard) changePassword(w http.ResponseWriter, r *http.Request, s *signedIn) {
	current, next := r.PostFormValue("current"), r.PostFormValue("new")
	fail := func(status int, msg string) {
		d.render(w, r, status, views.Account(d.frameError(s, "account", "Your account", msg)))
	}
	// A wrong current password counts as a failed sign-in of the address.
	keys := d.signinKeys(s.user.Email, httpx.ClientAddr(r))
	var ex *limits.Exceeded
	if err := d.opts.Limiter.Take(r.Context(), keys...); errors.As(err, &ex) {
		w.Header().Set("Retry-After", strconv.Itoa(ex.RetryAfterSeconds()))
		fail(http.StatusTooManyRequests, "Too many wrong passwords. Try again later.")
		return
	} else if err != nil {
		d.fail(w, r, s, err)
		return
	}
	release, ok := d.hashSlot(w, r)
	if !ok {
		fail(http.StatusTooManyRequests, "The server is busy. Try again in a moment.")
		return
	}
	right := auth.CheckPassword(s.user.PasswordHash, current)
	release()
	if !right {
		fail(http.StatusUnprocessableEntity, "The current password is not right.")
		return
	}
	d.opts.Limiter.Give(r.Context(), keys...) //nolint:errcheck // an extra count errs on the safe side
	if n := utf8.RuneCountInString(next); n < minPassword || len(next) > 1024 {
		fail(http.StatusUnprocessableEntity, "The new password must be at least 10 characters.")
		return
	}
	if next != r.PostFormValue("confirm") {
		fail(http.StatusUnprocessableEntity, "The two new passwords differ.")
		return
	}
	if release, ok = d.hashSlot(w, r); !ok {
		fail(http.StatusTooManyRequests, "The server is busy. Try again in a moment.")
		return
	}
	hash, err := auth.HashPassword(next)
	release()
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	if err := d.store.SetPassword(r.Context(), s.user.ID, hash, s.id); err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("password changed", "user", s.user.ID)
	d.back(w, r, s, "/dashboard/account", "Your password is changed; your other sessions are signed out.", "")
}
