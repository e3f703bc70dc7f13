// Package frontend is main-frontend: the hosted checkout pages buyers open from
// a paymentUrl, rendered on the server with templ.
package frontend

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/a-h/templ"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/static"
	"github.com/pgw/pgw/templates"
)

// Frontend serves the hosted pages.
type Frontend struct {
	store  *store.Store
	log    *slog.Logger
	assets *static.Assets
}

// New returns the hosted pages over s.
func New(s *store.Store, log *slog.Logger) *Frontend {
	return &Frontend{store: s, log: log, assets: static.New()}
}

// Register adds the routes to mux.
func (f *Frontend) Register(mux *http.ServeMux) {
	mux.Handle("GET /static/", f.assets)
	mux.HandleFunc("GET /checkout/{code}", f.checkout)
}

// securityHeaders are sent with every page: only our own origin's styles and
// images from anywhere over https (merchant logos), no scripts, no framing.
func securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' https: data:; "+
		"form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
}

func (f *Frontend) checkout(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	css := f.assets.URL("css/page.css")
	c, err := f.store.GetCheckoutByShortCode(r.Context(), r.PathValue("code"))
	if errors.Is(err, checkout.ErrNotFound) {
		f.render(w, r, http.StatusNotFound, templates.NotFound(css))
		return
	}
	if err != nil {
		f.fail(w, r, err)
		return
	}
	site, err := f.store.GetSite(r.Context(), c.OrganizationID, c.SiteID)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	page, err := pageOf(c, site.DisplayName, site.LogoURL, css, time.Now())
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.render(w, r, http.StatusOK, templates.Checkout(page))
}

// pageOf formats a checkout for the page. A checkout past its time shows as
// expired even before the sweeper has marked it.
func pageOf(c *checkout.Checkout, siteName, logo, css string, now time.Time) (templates.CheckoutPage, error) {
	cur, err := money.ParseCurrency(c.Currency)
	if err != nil {
		return templates.CheckoutPage{}, fmt.Errorf("checkout %s: %w", c.ID, err)
	}
	amount := func(v int64) string { return money.Format(v, cur) + " " + cur.Code }
	status := c.Status
	if status == checkout.StatusOpen && !now.Before(c.ExpiresAt) {
		status = checkout.StatusExpired
	}
	p := templates.CheckoutPage{
		SiteName: siteName, LogoURL: logo, Reference: c.Reference(), Total: amount(c.Amount),
		Status: string(status), ExpiresAt: c.ExpiresAt.UTC().Format("2 Jan 2006 15:04 MST"), CSS: css,
	}
	for _, it := range c.Items {
		p.Lines = append(p.Lines, templates.Line{
			Label: it.Label(), Quantity: it.Quantity, UnitPrice: amount(it.UnitPrice), Total: amount(it.LineTotal()),
		})
	}
	return p, nil
}

func (f *Frontend) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
		f.log.Warn("rendering page", "err", err, "requestId", httpx.RequestID(r.Context()))
	}
}

func (f *Frontend) fail(w http.ResponseWriter, r *http.Request, err error) {
	f.log.Error("hosted page failed", "err", err, "requestId", httpx.RequestID(r.Context()))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, "Something went wrong on our side. Please try again in a moment. (request %s)\n", httpx.RequestID(r.Context()))
}
