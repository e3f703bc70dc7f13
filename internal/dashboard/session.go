package dashboard

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/sessions"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
	views "github.com/pgw/pgw/templates/dashboard"
)

// cookieName is the session cookie. It holds only a random session id (and
// one-shot messages), signed and encrypted; the session itself is a row in the
// database, so signing out or removing a user ends it at once.
const cookieName = "pgw_session"

// touchEvery limits how often a session's last use is written.
const touchEvery = time.Minute

func newCookieStore(opts Options) *sessions.CookieStore {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, opts.SessionKey)
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	cs := sessions.NewCookieStore(derive("pgw session hash"), derive("pgw session block"))
	cs.Options = &sessions.Options{
		Path:     "/dashboard",
		MaxAge:   int(opts.MaxAge / time.Second),
		HttpOnly: true,
		Secure:   opts.Secure,
		SameSite: http.SameSiteLaxMode,
	}
	return cs
}

// signedIn is the operator a request comes from, in the organization they work in.
type signedIn struct {
	id       string // session id (hashed token)
	user     *tenant.User
	role     tenant.Role
	orgID    string
	orgs     []*tenant.Organization
	flash    string
	flashErr string
	cookie   *sessions.Session
}

// cookie returns the request's session cookie, a new empty one when it is
// missing or cannot be read.
func (d *Dashboard) cookie(r *http.Request) *sessions.Session {
	sess, err := d.cookies.Get(r, cookieName)
	if err != nil {
		sess, _ = d.cookies.New(r, cookieName)
		sess.Values = map[any]any{}
	}
	return sess
}

// startSession signs a user in to an organization: a new session id every
// time, so that a cookie planted before sign-in is worth nothing.
func (d *Dashboard) startSession(w http.ResponseWriter, r *http.Request, userID, orgID string) error {
	sess := d.cookie(r)
	if old, ok := sess.Values["sid"].(string); ok {
		if err := d.store.DeleteUserSession(r.Context(), auth.HashToken(old)); err != nil {
			return err
		}
	}
	token := ids.Token(32)
	now := d.opts.Now()
	if err := d.store.CreateUserSession(r.Context(), &store.UserSession{
		ID: auth.HashToken(token), UserID: userID, OrganizationID: orgID, CreatedAt: now, SeenAt: now,
	}); err != nil {
		return err
	}
	sess.Values = map[any]any{"sid": token}
	sess.Options = d.cookieOptions()
	return sess.Save(r, w)
}

func (d *Dashboard) cookieOptions() *sessions.Options {
	o := *d.cookies.Options
	return &o
}

// endSession forgets the session on both sides.
func (d *Dashboard) endSession(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := d.store.DeleteUserSession(r.Context(), s.id); err != nil {
		return err
	}
	s.cookie.Values = map[any]any{}
	s.cookie.Options = d.cookieOptions()
	s.cookie.Options.MaxAge = -1
	return s.cookie.Save(r, w)
}

var errNoSession = errors.New("not signed in")

// load finds the signed-in operator of a request.
func (d *Dashboard) load(ctx context.Context, sess *sessions.Session) (*signedIn, error) {
	token, _ := sess.Values["sid"].(string)
	if token == "" {
		return nil, errNoSession
	}
	us, err := d.store.GetUserSession(ctx, auth.HashToken(token))
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	now := d.opts.Now()
	if now.Sub(us.CreatedAt) > d.opts.MaxAge || now.Sub(us.SeenAt) > d.opts.IdleTimeout {
		if err := d.store.DeleteUserSession(ctx, us.ID); err != nil {
			return nil, err
		}
		return nil, errNoSession
	}
	m, err := d.store.GetMember(ctx, us.OrganizationID, us.UserID)
	if errors.Is(err, errs.ErrNotFound) {
		// Removed from the organization since signing in.
		return nil, errors.Join(errNoSession, d.store.DeleteUserSession(ctx, us.ID))
	}
	if err != nil {
		return nil, err
	}
	if now.Sub(us.SeenAt) > touchEvery {
		if err := d.store.TouchUserSession(ctx, us.ID, now); err != nil {
			return nil, err
		}
	}
	orgs, err := d.store.UserOrganizations(ctx, us.UserID)
	if err != nil {
		return nil, err
	}
	return &signedIn{id: us.ID, user: &m.User, role: m.Role, orgID: us.OrganizationID, orgs: orgs, cookie: sess}, nil
}

// page wraps a handler for signed-in operators whose role is at least min.
// Anyone else is sent to sign in, or refused.
func (d *Dashboard) page(min tenant.Role, h func(http.ResponseWriter, *http.Request, *signedIn)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := d.cookie(r)
		s, err := d.load(r.Context(), sess)
		if errors.Is(err, errNoSession) {
			to := "/dashboard/signin"
			if r.Method == http.MethodGet {
				to += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		if err != nil {
			d.fail(w, r, d.anonymous(), err)
			return
		}
		if rank(s.role) < rank(min) {
			d.render(w, r, http.StatusForbidden, views.Message(d.frame(s, "", "Not allowed"),
				"Your role ("+string(s.role)+") may not do this. Ask an admin of the organization."))
			return
		}
		if r.Method == http.MethodGet {
			s.takeFlash(w, r)
		}
		h(w, r, s)
	})
}

// setFlash keeps a message for the next page.
func (s *signedIn) setFlash(w http.ResponseWriter, r *http.Request, flash, errMsg string) {
	if flash == "" && errMsg == "" {
		return
	}
	s.cookie.Values["flash"], s.cookie.Values["flashErr"] = flash, errMsg
	s.cookie.Save(r, w) //nolint:errcheck // a lost message is not worth failing the change
}

// takeFlash reads and clears the message of the previous change.
func (s *signedIn) takeFlash(w http.ResponseWriter, r *http.Request) {
	f, _ := s.cookie.Values["flash"].(string)
	e, _ := s.cookie.Values["flashErr"].(string)
	if f == "" && e == "" {
		return
	}
	s.flash, s.flashErr = f, e
	delete(s.cookie.Values, "flash")
	delete(s.cookie.Values, "flashErr")
	s.cookie.Save(r, w) //nolint:errcheck // the message may show twice
}

// Prune deletes the sessions that have timed out.
func (d *Dashboard) Prune(ctx context.Context) error {
	now := d.opts.Now()
	return d.store.DeleteUserSessionsBefore(ctx, now.Add(-d.opts.MaxAge), now.Add(-d.opts.IdleTimeout))
}
