// Package dashboard is the operators' web interface on admin-backend under
// /dashboard: sign-in, payment links, checkouts and transactions, sites, API
// keys and users. Pages are rendered on the server with templ; the little
// JavaScript there is only adds live totals, previews and copy buttons.
package dashboard

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/gorilla/sessions"

	"github.com/pgw/pgw/internal/adapter/intandem"
	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/buyermail"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/customdomain"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/limits"
	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
	"github.com/pgw/pgw/static"
	views "github.com/pgw/pgw/templates/dashboard"
)

// Options are the settings the dashboard needs from the configuration.
type Options struct {
	// Mail sends the test email of the mail settings (nil: none).
	Mail *buyermail.Sender
	// Preview renders the hosted payment page of a site for the branding
	// preview (main-frontend's templates; nil: no preview).
	Preview func(w http.ResponseWriter, r *http.Request, site *tenant.Site)
	// Domains checks custom domains' DNS records (nil: checks are refused).
	Domains *customdomain.Verifier
	// SessionKey signs and encrypts the session cookie (at least 32 bytes).
	SessionKey []byte
	// Secure marks the cookie Secure; set it when admin-backend is served over TLS.
	Secure bool
	// IdleTimeout ends a session not used for this long; MaxAge ends any session.
	IdleTimeout, MaxAge time.Duration
	// PaymentBaseURL is main-frontend's public URL; payment links are built on it.
	PaymentBaseURL string
	MaxAmount      int64
	NotifyMaxAge   time.Duration
	SecretOverlap  time.Duration
	// Limiter counts sign-in attempts against SigninLimits.
	Limiter      *limits.Limiter
	SigninLimits SigninLimits
	// PasswordHashes is how many password hashes may run at once.
	PasswordHashes int
	// IntandemClient calls inTandem's API.
	IntandemClient *http.Client
	// NotifyAllowPrivate lets test notifications reach loopback and private
	// addresses, as notify.allow_private_targets does for the others.
	NotifyAllowPrivate bool
	Now                func() time.Time
}

// SigninLimits bound sign-in attempts (and checks of the current password).
type SigninLimits struct {
	PerEmailClient, PerEmail, PerClient limits.Rule
}

// Dashboard serves the operators' pages.
type Dashboard struct {
	store   *store.Store
	pay     *payment.Service
	log     *slog.Logger
	assets  *static.Assets
	cookies *sessions.CookieStore
	hashes  chan struct{} // a slot per password hash that may run at once
	// checkouts creates and closes checkouts, as every surface does.
	checkouts *checkouts.Service
	// intandem holds the sites' inTandem connections.
	intandem *intandem.Data
	// pages is where each site's payment pages are.
	pages customdomain.Pages
	// notifyClient sends test notifications through the private-address guard.
	notifyClient *http.Client
	// dummyHash is checked against when no user has the email, so that a
	// wrong email takes as long as a wrong password; made at the first use.
	dummyHash func() string
	opts      Options
}

// New returns the dashboard.
func New(s *store.Store, pay *payment.Service, log *slog.Logger, opts Options) *Dashboard {
	if opts.Now == nil {
		opts.Now = store.TimeNow
	}
	if opts.IdleTimeout == 0 {
		opts.IdleTimeout = 30 * time.Minute
	}
	if opts.MaxAge == 0 {
		opts.MaxAge = 12 * time.Hour
	}
	return &Dashboard{
		store: s, pay: pay, log: log, assets: static.New(), checkouts: checkouts.New(s, pay, opts.MaxAmount, opts.Now),
		cookies: newCookieStore(opts), intandem: intandem.NewData(s),
		pages: customdomain.Pages{Default: opts.PaymentBaseURL, Hosts: s.PrimaryHosts, Log: log},
		notifyClient: &http.Client{Transport: &http.Transport{DialContext: notify.DialContext(10*time.Second, opts.NotifyAllowPrivate)},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		hashes: make(chan struct{}, max(opts.PasswordHashes, 1)),
		dummyHash: sync.OnceValue(func() string {
			h, _ := auth.HashPassword("no user has this password")
			return h
		}),
		opts: opts,
	}
}

// Register adds the dashboard's routes to mux. Every state change is refused
// when it comes from another origin.
func (d *Dashboard) Register(mux *http.ServeMux) {
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte("Refused: this request came from another site.\n")) //nolint:errcheck // the client went away
	}))
	sub := http.NewServeMux()
	sub.HandleFunc("GET /dashboard", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/dashboard/overview", http.StatusSeeOther)
	})
	sub.HandleFunc("GET /dashboard/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/dashboard/overview", http.StatusSeeOther)
	})
	sub.HandleFunc("GET /dashboard/signin", d.signInPage)
	sub.HandleFunc("POST /dashboard/signin", d.signIn)
	sub.Handle("POST /dashboard/signout", d.page(tenant.RoleViewer, d.signOut))
	sub.Handle("POST /dashboard/org", d.page(tenant.RoleViewer, d.switchOrg))
	sub.Handle("GET /dashboard/account", d.page(tenant.RoleViewer, d.account))
	sub.Handle("POST /dashboard/account/password", d.page(tenant.RoleViewer, d.changePassword))

	sub.Handle("GET /dashboard/overview", d.page(tenant.RoleViewer, d.overview))
	sub.Handle("GET /dashboard/checkouts", d.page(tenant.RoleViewer, d.listCheckouts))
	sub.Handle("GET /dashboard/checkouts/export.csv", d.page(tenant.RoleViewer, d.exportCheckouts))
	sub.Handle("GET /dashboard/transactions/export.csv", d.page(tenant.RoleViewer, d.exportTransactions))
	sub.Handle("GET /dashboard/checkouts/{id}", d.page(tenant.RoleViewer, d.showCheckout))
	sub.Handle("POST /dashboard/checkouts/{id}/expire", d.page(tenant.RoleEditor, d.closeCheckout(checkout.StatusExpired)))
	sub.Handle("POST /dashboard/checkouts/{id}/cancel", d.page(tenant.RoleEditor, d.closeCheckout(checkout.StatusCanceled)))
	sub.Handle("POST /dashboard/deliveries/{id}/redeliver", d.page(tenant.RoleEditor, d.redeliver))
	sub.Handle("GET /dashboard/links/new", d.page(tenant.RoleEditor, d.newLink))
	sub.Handle("POST /dashboard/links", d.page(tenant.RoleEditor, d.createLink))
	sub.Handle("GET /dashboard/links", d.page(tenant.RoleViewer, d.listLinks))
	sub.Handle("GET /dashboard/links/reusable/new", d.page(tenant.RoleEditor, d.newReusable))
	sub.Handle("POST /dashboard/links/reusable", d.page(tenant.RoleEditor, d.createReusable))
	sub.Handle("GET /dashboard/links/{id}", d.page(tenant.RoleViewer, d.showReusable))
	sub.Handle("POST /dashboard/links/{id}/deactivate", d.page(tenant.RoleEditor, d.deactivateReusable))
	sub.Handle("GET /dashboard/transactions", d.page(tenant.RoleViewer, d.listTransactions))
	sub.Handle("POST /dashboard/transactions/{id}/refund", d.page(tenant.RoleEditor, d.refund))
	sub.Handle("POST /dashboard/transactions/{id}/disputes", d.page(tenant.RoleEditor, d.openDispute))
	sub.Handle("POST /dashboard/disputes/{id}", d.page(tenant.RoleEditor, d.changeDispute))
	sub.Handle("POST /dashboard/transactions/{id}/mark-paid", d.page(tenant.RoleEditor, d.markPaid))
	sub.Handle("POST /dashboard/transactions/{id}/excess", d.page(tenant.RoleEditor, d.resolveExcess))
	sub.Handle("GET /dashboard/bank", d.page(tenant.RoleViewer, d.bankPage))
	sub.Handle("POST /dashboard/bank/statements", d.page(tenant.RoleEditor, d.uploadStatement))
	sub.Handle("POST /dashboard/bank/receipts/{id}/assign", d.page(tenant.RoleEditor, d.assignReceipt))
	sub.Handle("POST /dashboard/bank/receipts/{id}/dismiss", d.page(tenant.RoleEditor, d.dismissReceipt))
	sub.Handle("GET /dashboard/holds", d.page(tenant.RoleViewer, d.listHolds))
	sub.Handle("GET /dashboard/clients", d.page(tenant.RoleViewer, d.listClients))
	sub.Handle("GET /dashboard/clients/{id}", d.page(tenant.RoleViewer, d.showClient))
	sub.Handle("GET /dashboard/mail", d.page(tenant.RoleViewer, d.mailPage))
	sub.Handle("POST /dashboard/mail", d.page(tenant.RoleAdmin, d.saveMail))
	sub.Handle("POST /dashboard/mail/test", d.page(tenant.RoleAdmin, d.testMail))
	sub.Handle("GET /dashboard/tax", d.page(tenant.RoleViewer, d.taxPage))
	sub.Handle("POST /dashboard/tax", d.page(tenant.RoleAdmin, d.saveTax))
	sub.Handle("POST /dashboard/holds", d.page(tenant.RoleAdmin, d.createHold))
	sub.Handle("POST /dashboard/holds/{id}/delete", d.page(tenant.RoleAdmin, d.deleteHold))

	sub.Handle("GET /dashboard/sites", d.page(tenant.RoleViewer, d.listSites))
	sub.Handle("GET /dashboard/sites/{id}", d.page(tenant.RoleViewer, d.showSite))
	sub.Handle("POST /dashboard/sites/{id}", d.page(tenant.RoleAdmin, d.updateSite))
	sub.Handle("GET /dashboard/sites/{id}/preview", d.page(tenant.RoleViewer, d.previewSite))
	sub.Handle("POST /dashboard/sites/{id}/domains", d.page(tenant.RoleAdmin, d.addDomain))
	sub.Handle("POST /dashboard/domains/{id}/verify", d.page(tenant.RoleAdmin, d.verifyDomain))
	sub.Handle("POST /dashboard/domains/{id}/primary", d.page(tenant.RoleAdmin, d.primaryDomain))
	sub.Handle("POST /dashboard/domains/{id}/delete", d.page(tenant.RoleAdmin, d.deleteDomain))
	sub.Handle("POST /dashboard/sites/{id}/providers", d.page(tenant.RoleAdmin, d.addStripe))
	sub.Handle("POST /dashboard/sites/{id}/providers/wire", d.page(tenant.RoleAdmin, d.addWire))
	sub.Handle("POST /dashboard/sites/{id}/providers/{providerId}", d.page(tenant.RoleAdmin, d.toggleProvider))
	sub.Handle("POST /dashboard/sites/{id}/secret", d.page(tenant.RoleAdmin, d.rotateSecret))
	sub.Handle("POST /dashboard/sites/{id}/ipn", d.page(tenant.RoleAdmin, d.setIPNVersion))
	sub.Handle("POST /dashboard/sites/{id}/ipn-test", d.page(tenant.RoleAdmin, d.sendIPNTest))
	sub.Handle("POST /dashboard/sites/{id}/intandem/disconnect", d.page(tenant.RoleAdmin, d.disconnectIntandem))
	sub.Handle("GET /dashboard/intandem/disconnect", d.page(tenant.RoleAdmin, d.confirmIntandemDisconnect))
	sub.Handle("POST /dashboard/intandem/disconnect", d.page(tenant.RoleAdmin, d.intandemDisconnect))

	sub.Handle("GET /dashboard/keys", d.page(tenant.RoleViewer, d.listKeys))
	sub.Handle("POST /dashboard/keys", d.page(tenant.RoleAdmin, d.createKey))
	sub.Handle("POST /dashboard/keys/{id}/revoke", d.page(tenant.RoleAdmin, d.revokeKey))

	sub.Handle("GET /dashboard/users", d.page(tenant.RoleViewer, d.listUsers))
	sub.Handle("POST /dashboard/users", d.page(tenant.RoleAdmin, d.addUser))
	sub.Handle("POST /dashboard/users/{id}/role", d.page(tenant.RoleAdmin, d.setRole))
	sub.Handle("POST /dashboard/users/{id}/remove", d.page(tenant.RoleAdmin, d.removeUser))
	sub.HandleFunc("/dashboard/", func(w http.ResponseWriter, r *http.Request) {
		http.NotFound(w, r)
	})

	h := csrf.Handler(securityHeaders(sub))
	mux.Handle("/dashboard", h)
	mux.Handle("/dashboard/", h)
	mux.Handle("GET /static/", d.assets)
}

// securityHeaders sets what every dashboard answer carries.
// csp is the dashboard's Content-Security-Policy with the given form-action
// sources (browsers apply form-action to the redirect after a post too).
func csp(formAction ...string) string {
	return httpx.StrictCSP().Set("form-action", formAction...).Set("frame-src", "'self'").String()
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp("'self'"))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// rank orders the roles: each may do what the ones below it may.
func rank(r tenant.Role) int {
	switch r {
	case tenant.RoleAdmin:
		return 3
	case tenant.RoleEditor:
		return 2
	case tenant.RoleViewer:
		return 1
	}
	return 0
}

// frame is the shared part of a page for the signed-in operator.
func (d *Dashboard) frame(s *signedIn, section, title string) views.Frame {
	f := views.Frame{
		Title: title, CSS: d.assets.URL("css/dashboard.css"), Script: d.assets.URL("js/dashboard.js"),
		Section: section, User: s.user.Email, Role: string(s.role), OrgID: s.orgID,
		CanEdit: rank(s.role) >= rank(tenant.RoleEditor), IsAdmin: s.role == tenant.RoleAdmin,
		Flash: s.flash, Error: s.flashErr,
	}
	for _, o := range s.orgs {
		f.Orgs = append(f.Orgs, views.Option{Value: o.ID, Label: o.Name, Selected: o.ID == s.orgID})
	}
	return f
}

// frameError is frame with a problem shown at the top, when errMsg is set.
func (d *Dashboard) frameError(s *signedIn, section, title, errMsg string) views.Frame {
	f := d.frame(s, section, title)
	if errMsg != "" {
		f.Error = errMsg
	}
	return f
}

func (d *Dashboard) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
		d.log.Warn("rendering dashboard page", "err", err, "requestId", httpx.RequestID(r.Context()))
	}
}

// fail answers a lookup error: 404 for what is not there (or belongs to
// another organization), 500 otherwise.
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, s *signedIn, err error) {
	e, ok := errs.As(err)
	switch {
	case ok && e.Kind == errs.NotFound:
		d.render(w, r, http.StatusNotFound, views.Message(d.frame(s, "", "Not found"), "There is nothing here, or it belongs to another organization."))
		return
	case ok && httpx.StatusOf(e.Kind) != 0 && e.Message != "":
		// A refusal nobody turned into words of its own page.
		d.render(w, r, httpx.StatusOf(e.Kind), views.Message(d.frame(s, "", "Not possible"),
			strings.ToUpper(e.Message[:1])+e.Message[1:]+"."))
		return
	}
	if httpx.ClientGone(w, r) {
		return
	}
	d.log.Error("dashboard request failed", "err", err, "requestId", httpx.RequestID(r.Context()))
	d.render(w, r, http.StatusInternalServerError, views.Message(d.frame(s, "", "Something went wrong"),
		"Something went wrong on our side. Please try again in a moment. (request "+httpx.RequestID(r.Context())+")"))
}

// back redirects to path after a change, carrying a message for the next page.
func (d *Dashboard) back(w http.ResponseWriter, r *http.Request, s *signedIn, path, flash, errMsg string) {
	s.setFlash(w, r, flash, errMsg)
	http.Redirect(w, r, path, http.StatusSeeOther)
}
