package intandem

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/templates/hosted"
)

// Pages is what the app borrows from the hosted pages: their message page,
// their failure answer and their <head>.
type Pages interface {
	Message(w http.ResponseWriter, r *http.Request, status int, title, msg, link, linkText string)
	Fail(w http.ResponseWriter, r *http.Request, err error)
	Head(nonce, title string) hosted.Head
	// Localized is the <head> of a page in the language the request asks
	// for, and the context its texts are written in.
	Localized(r *http.Request, nonce, titleID string) (hosted.Head, context.Context)
	AssetURL(name string) string
}

// Options are the app's settings.
type Options struct {
	// HTTPClient calls inTandem's API.
	HTTPClient *http.Client
	// DashboardURL is admin-backend's public URL, where operators confirm
	// what a link from inTandem asks for.
	DashboardURL string
}

// App is inTandem's payment app, all under {urls.main_frontend}/intandem:
// connect and disconnect links, the checkout redirect, the charge iframe
// with its tokens, and inTandem's charge and refund calls.
type App struct {
	store     *store.Store
	data      *Data
	pay       *payment.Service
	checkouts *checkouts.Service
	log       *slog.Logger
	pages     Pages
	opts      Options
	now       func() time.Time
}

// NewApp returns the app.
func NewApp(s *store.Store, pay *payment.Service, cs *checkouts.Service, log *slog.Logger, pages Pages, opts Options) *App {
	return &App{store: s, data: NewData(s), pay: pay, checkouts: cs, log: log, pages: pages, opts: opts, now: store.TimeNow}
}

// Register adds the app's routes to mux.
func (a *App) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /intandem/connect", a.connect)
	mux.HandleFunc("GET /intandem/disconnect", a.disconnect)
	mux.HandleFunc("GET /intandem/checkout/{business_uid}/{url_key}", a.checkout)
	mux.HandleFunc("GET /intandem/charge", a.chargeFrame)
	mux.Handle("POST /intandem/token", http.NewCrossOriginProtection().Handler(http.HandlerFunc(a.token)))
	mux.HandleFunc("POST /intandem/charge", a.charge)
	mux.HandleFunc("POST /intandem/refund", a.refund)
}

func (a *App) client(c *Connection) *Client {
	return NewClient(c.APIBase, c.Token, a.opts.HTTPClient)
}

// maxBody bounds inTandem's calls and the iframe's token requests.
const maxBody = 16 << 10

// tokenLifetime is how long a card checked in the charge iframe can be charged.
const tokenLifetime = 15 * time.Minute

var urlKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,200}$`)

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
