// Package frontend is main-frontend: the hosted checkout pages buyers open from
// a paymentUrl, rendered on the server with templ. They work without
// JavaScript: the sandbox card form posts back to the page.
package frontend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a-h/templ"
	"golang.org/x/text/language"

	"github.com/pgw/pgw/internal/bank"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/lang"
	"github.com/pgw/pgw/internal/limits"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
	"github.com/pgw/pgw/static"
	"github.com/pgw/pgw/templates/hosted"
)

// Frontend serves the hosted pages.
type Frontend struct {
	store  *store.Store
	pay    *payment.Service
	log    *slog.Logger
	assets *static.Assets
	now    func() time.Time
	// words are the pages' messages in every language.
	words *lang.Catalog
	// formatters caches a money.Formatter per language (see formatter);
	// cached counts its entries.
	formatters sync.Map
	cached     atomic.Int64
	// checkouts, limiter and linkRule serve reusable payment links (see Links).
	checkouts *checkouts.Service
	limiter   *limits.Limiter
	linkRule  limits.Rule
	// hosts are main-frontend's own hostnames; askCache serves the TLS ask
	// endpoint (ask.go).
	hosts    []string
	askCache askCache
}

// maxFormatters bounds the formatter cache: there are a few hundred
// languages with regions, and any client may send any tag.
const maxFormatters = 512

// formatter returns the money formatter of a language tag, cached by the
// tag's language, script and region only (extensions and private uses are
// dropped), in a cache of bounded size.
func (f *Frontend) formatter(lang string) *money.Formatter {
	key := "en"
	if t, err := language.Parse(lang); err == nil {
		base, script, region := t.Raw()
		if c, err := language.Compose(base, script, region); err == nil {
			key = c.String()
		}
	}
	if v, ok := f.formatters.Load(key); ok {
		return v.(*money.Formatter)
	}
	fm := money.NewFormatter(key)
	if f.cached.Add(1) > maxFormatters {
		f.cached.Add(-1)
		return fm
	}
	if v, loaded := f.formatters.LoadOrStore(key, fm); loaded {
		f.cached.Add(-1)
		return v.(*money.Formatter)
	}
	return fm
}

// New returns the hosted pages over s.
func New(s *store.Store, pay *payment.Service, log *slog.Logger) *Frontend {
	words, err := lang.New()
	if err != nil {
		panic(err) // the catalogues are compiled in and tested
	}
	return &Frontend{store: s, pay: pay, log: log, assets: static.New(), now: store.TimeNow, words: words}
}

// maxForm bounds a payment form submission.
const maxForm = 16 << 10

// Register adds the routes to mux. Form posts must come from our own pages:
// cross-origin submissions are refused.
func (f *Frontend) Register(mux *http.ServeMux) {
	mux.Handle("GET /static/", f.assets)
	mux.HandleFunc("GET /checkout/{code}", f.show)
	mux.Handle("POST /checkout/{code}/pay", http.NewCrossOriginProtection().Handler(http.HandlerFunc(f.payForm)))
	mux.Handle("POST /checkout/{code}/bank-transfer", http.NewCrossOriginProtection().Handler(http.HandlerFunc(f.wireForm)))
	mux.HandleFunc("GET /checkout/{code}/return", f.returned)
	mux.HandleFunc("GET /l/{code}", f.showLink)
	mux.HandleFunc("GET /api/v1/domains/verify", f.ask)
	mux.Handle("POST /l/{code}", http.NewCrossOriginProtection().Handler(http.HandlerFunc(f.useLink)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		pc := f.anonymous(r)
		f.render(w, r, http.StatusNotFound, pc, hosted.NotFound(f.head(pc, pc.p.T("notfound.title"))))
	})
}

// anonymous is the page context of a request that names no checkout: the
// language of ?lg= or the browser.
func (f *Frontend) anonymous(r *http.Request) pageCtx {
	p := f.words.Printer(f.words.Choose([]string{r.URL.Query().Get("lg")}, r.Header.Get("Accept-Language"), ""))
	return pageCtx{nonce: ids.Secret(16), p: p, lang: p.Tag.String()}
}

// Message shows a page that says what happened, with a way on.
func (f *Frontend) Message(w http.ResponseWriter, r *http.Request, status int, title, msg, link, linkText string) {
	pc := pageCtx{nonce: ids.Secret(16), p: f.words.Printer(language.English), lang: "en"}
	f.render(w, r, status, pc, hosted.Message(hosted.MessagePage{Head: f.head(pc, title), Title: title, Message: msg,
		LinkURL: link, LinkText: linkText}))
}

// Fail answers a request that failed on our side.
func (f *Frontend) Fail(w http.ResponseWriter, r *http.Request, err error) { f.fail(w, r, err) }

// Head is the <head> of a page under nonce, in English.
func (f *Frontend) Head(nonce, title string) hosted.Head {
	return f.head(pageCtx{nonce: nonce, lang: "en", p: f.words.Printer(language.English)}, title)
}

// Localized is the <head> of a page in the language of the request's ?lg=
// or Accept-Language, and the context its templates write in.
func (f *Frontend) Localized(r *http.Request, nonce, titleID string) (hosted.Head, context.Context) {
	pc := f.anonymous(r)
	pc.nonce = nonce
	return f.head(pc, pc.p.T(titleID)), lang.With(r.Context(), pc.p)
}

// AssetURL is the versioned URL of a static file.
func (f *Frontend) AssetURL(name string) string { return f.assets.URL(name) }

// pageCtx is what one response's page needs beyond its checkout.
type pageCtx struct {
	nonce string
	// lang is the page's language tag, p its printer.
	lang     string
	p        *lang.Printer
	site     *tenant.Site
	formDest string // origin the form's redirect may lead to
	stripe   bool   // the page mounts Stripe's Payment Element
	taxLive  bool   // the page asks itself for totals as the buyer chooses
	// frameable: a preview the dashboard shows in a frame of its own origin.
	frameable bool
}

// securityHeaders: only our own scripts and styles (and the per-response
// nonce), images over https (merchant logos), forms only to us and to the
// merchant's return URL (browsers apply form-action to the redirect after a
// post), no framing. Everything is relative to the host the page came
// through ('self'), so a custom domain needs nothing of its own; HSTS has no
// includeSubDomains, which on a merchant's hostname would reach names of
// theirs we do not serve.
func securityHeaders(w http.ResponseWriter, pc pageCtx) {
	csp := httpx.StrictCSP().Add("script-src", "'nonce-"+pc.nonce+"'").Add("style-src", "'nonce-"+pc.nonce+"'").Del("connect-src")
	if pc.formDest != "" {
		csp.Add("form-action", pc.formDest)
	}
	if pc.stripe {
		// Stripe.js and its frames, and nothing else.
		csp.Add("script-src", "https://js.stripe.com").Set("frame-src", "https://js.stripe.com", "https://hooks.stripe.com").
			Set("connect-src", "https://api.stripe.com")
	}
	if pc.taxLive {
		csp.Add("connect-src", "'self'")
	}
	frames := "DENY"
	if pc.frameable {
		csp.Set("frame-ancestors", "'self'")
		frames = "SAMEORIGIN"
	}
	h := w.Header()
	h.Set("Content-Security-Policy", csp.String())
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", frames)
	h.Set("Strict-Transport-Security", "max-age=63072000")
}

func (f *Frontend) head(pc pageCtx, title string) hosted.Head {
	h := hosted.Head{Title: title, Lang: pc.lang, Dir: pc.p.Dir(), CSS: f.assets.URL("css/page.css"), Nonce: pc.nonce,
		Script: f.assets.URL("js/page.js"), Icon: f.assets.URL("img/favicon.svg")}
	if h.Lang == "" {
		h.Lang = "en"
	}
	if pc.site != nil {
		if pc.site.LogoURL != "" {
			h.Icon = pc.site.LogoURL
		}
		b := pc.site.Branding()
		// White text on the brand colour must be readable (WCAG AA): a
		// colour too light is darkened for buttons and links.
		brand, _ := tenant.Accessible(b.PrimaryColor)
		h.BrandCSS = ":root{--brand:" + brand + ";--radius:" + tenant.Corners[b.CornerStyle] + ";--font:" + tenant.Fonts[b.Font] + "}"
	}
	return h
}

// load finds the checkout of the URL and its site; it answers the request
// itself (404 or 500) when it cannot.
func (f *Frontend) load(w http.ResponseWriter, r *http.Request) (*checkout.Checkout, pageCtx, bool) {
	pc := f.anonymous(r)
	c, err := f.store.GetCheckoutByShortCode(r.Context(), r.PathValue("code"))
	if err == nil {
		err = f.onThisHost(r, c.SiteID)
	}
	if errors.Is(err, errs.ErrNotFound) {
		f.render(w, r, http.StatusNotFound, pc, hosted.NotFound(f.head(pc, pc.p.T("notfound.title"))))
		return nil, pc, false
	}
	if err == nil {
		pc.site, err = f.store.SiteOf(r.Context(), c.OrganizationID, c.SiteID)
	}
	if err != nil {
		f.fail(w, r, err)
		return nil, pc, false
	}
	// The buyer's choice on the page, then the checkout's locale, then the
	// browser's languages, then the site's language.
	pc.p = f.words.Printer(f.words.Choose([]string{r.URL.Query().Get("lg"), c.Locale}, r.Header.Get("Accept-Language"), pc.site.DefaultLanguage))
	pc.lang = pc.p.Tag.String()
	pc.formDest = httpx.Origin(c.ReturnURL)
	return c, pc, true
}

func (f *Frontend) show(w http.ResponseWriter, r *http.Request) {
	c, pc, ok := f.load(w, r)
	if !ok {
		return
	}
	f.page(w, r, c, pc, http.StatusOK, nil)
}

// state shows a checkout that cannot be paid now: why, its reference and
// total, and the way back to the shop.
func (f *Frontend) state(w http.ResponseWriter, r *http.Request, c *checkout.Checkout, pc pageCtx, status int,
	total, headTitle, title, message string) {
	f.render(w, r, status, pc, hosted.State(hosted.StatePage{
		Head: f.head(pc, headTitle), Brand: hosted.Brand{SiteName: pc.site.DisplayName, LogoURL: pc.site.LogoURL},
		Title: title, Message: message, Reference: c.Reference(), Total: total, ReturnURL: c.CancelURLFor(""),
	}))
}

// formError is what a refused or declined submission shows on the form.
type formError struct {
	message, field, name, email string
	// wire: the bank transfer choice was refused, not the card form.
	wire bool
	// fields are every wrong card field's message, by field id.
	fields map[string]string
}

// page renders the checkout in its current state.
func (f *Frontend) page(w http.ResponseWriter, r *http.Request, c *checkout.Checkout, pc pageCtx, status int, fe *formError) {
	fm := f.formatter(pc.lang)
	sum, err := f.summary(c, fm, pc.p)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	brand := hosted.Brand{SiteName: pc.site.DisplayName, LogoURL: pc.site.LogoURL}
	st := c.EffectiveStatus(f.now())
	if (st == checkout.StatusExpired || st == checkout.StatusCanceled) && c.Source == checkout.SourceOrchestrapay && c.CancelURL != "" {
		// Orchestrapay buyers land on final_failure_url after a timeout or cancel.
		http.Redirect(w, r, c.CancelURLFor(""), http.StatusSeeOther)
		return
	}
	switch st {
	case checkout.StatusComplete:
		f.receipt(w, r, c, pc, brand, sum)
	case checkout.StatusExpired:
		f.state(w, r, c, pc, http.StatusOK, sum.Totals.Total, pc.p.T("state.expired_title"), pc.p.T("state.expired_heading"), pc.p.T("state.expired"))
	case checkout.StatusCanceled:
		f.state(w, r, c, pc, http.StatusOK, sum.Totals.Total, pc.p.T("state.canceled_title"), pc.p.T("state.canceled_heading"), pc.p.T("state.canceled"))
	default:
		tr, err := f.pendingTransfer(r.Context(), c)
		if err != nil {
			f.fail(w, r, err)
			return
		}
		if tr != nil {
			f.transferPage(w, r, c, pc, brand, sum, tr)
			return
		}
		r.ParseForm() //nolint:errcheck // a malformed query leaves the tax details empty
		in := taxInputOf(r)
		taxForm, err := f.taxed(r.Context(), c, fm, pc.p, in, &sum)
		if err != nil {
			f.fail(w, r, err)
			return
		}
		if taxForm != nil {
			taxForm.Script, pc.taxLive = f.assets.URL("js/tax.js"), true
		}
		methods, err := f.pay.Methods(r.Context(), c)
		if err != nil {
			f.fail(w, r, err)
			return
		}
		p := hosted.CheckoutPage{
			Head: f.head(pc, pc.p.T("checkout.title", "Site", pc.site.DisplayName)), Brand: brand, Summary: sum,
			ExpiresAt: f.when(pc, c.ExpiresAt), TestMode: c.Mode == checkout.ModeTest,
			CancelURL: c.CancelURLFor(""), Tax: taxForm,
		}
		for _, m := range methods {
			if m.Type == tenant.ProviderStripe && p.Stripe == nil {
				if taxForm != nil && taxForm.Missing {
					p.Stripe = &hosted.StripeForm{Error: pc.p.T("stripe.choose_country")}
				} else {
					p.Stripe = f.stripeForm(r, c, m, sum.Totals.Total, in, pc.p)
				}
				pc.stripe = p.Stripe.Error == ""
			}
			if m.Type == tenant.ProviderWire && p.Wire == nil {
				p.Wire = &hosted.WireChoice{Action: "/checkout/" + c.ShortCode + "/bank-transfer", ProviderID: m.ID,
					Attempt: ids.Token(24), Name: pc.p.T("wire.pay", "Amount", sum.Totals.Total)}
				if taxForm != nil {
					p.Wire.Country, p.Wire.VATID, p.Wire.Postcode, p.Wire.Company = taxForm.Country, in.vatID, in.postcode, in.company
				}
			}
			if m.Type == tenant.ProviderSandbox {
				p.Card = &hosted.CardForm{
					Action: "/checkout/" + c.ShortCode + "/pay", ProviderID: m.ID, Attempt: ids.Token(24), Script: f.assets.URL("js/card.js"),
					PayLabel: pc.p.T("card.pay", "Amount", sum.Totals.Total), AskEmail: c.Email == "", RequireEmail: c.Email == "" && pc.site.RequireEmail,
				}
				if taxForm != nil {
					p.Card.Country, p.Card.VATID, p.Card.Postcode, p.Card.Company = taxForm.Country, in.vatID, in.postcode, in.company
				}
			}
		}
		if fe != nil && fe.wire && p.Wire != nil {
			p.Wire.Error = fe.message
		} else if fe != nil && p.Card != nil {
			p.Card.Error, p.Card.ErrorField, p.Card.Name, p.Card.Email, p.Card.FieldErrors = fe.message, fe.field, fe.name, fe.email, fe.fields
		}
		p.Head.Switch = f.langSwitch(r, c, pc)
		p.Head.BodyClass = "pay"
		f.render(w, r, status, pc, hosted.Checkout(p))
	}
}

func (f *Frontend) receipt(w http.ResponseWriter, r *http.Request, c *checkout.Checkout, pc pageCtx, brand hosted.Brand, sum hosted.Summary) {
	p := hosted.ReceiptPage{Head: f.head(pc, pc.p.T("receipt.title")), Brand: brand, Summary: sum}
	p.Head.Switch = f.langSwitch(r, c, pc)
	full, err := f.store.GetCheckout(r.Context(), c.OrganizationID, c.ID)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	for _, t := range full.Transactions {
		if t.Paid() {
			p.PaidAt = f.when(pc, t.UpdatedAt)
			p.TransactionID = t.ID
			if t.CardLast4 != "" && t.CardBrand != "" {
				p.Card = pc.p.T("receipt.card_ending", "Brand", strings.ToUpper(t.CardBrand[:1])+t.CardBrand[1:], "Last4", t.CardLast4)
			}
			if bt, err := f.store.TransferOf(r.Context(), t.ID); err == nil {
				p.Transfer = pc.p.T("wire.reference") + " " + bank.Reference(bt.Reference).Grouped()
			}
			p.ReturnURL = c.ReturnURLFor(t.ID)
			if err := f.chargedTax(r.Context(), c, t.ID, f.formatter(pc.lang), &p.Summary); err != nil {
				f.fail(w, r, err)
				return
			}
		}
	}
	f.render(w, r, http.StatusOK, pc, hosted.Receipt(p))
}

// stripeForm prepares the Payment Element of a Stripe method.
func (f *Frontend) stripeForm(r *http.Request, c *checkout.Checkout, m payment.Method, amount string, tin taxInput, p *lang.Printer) *hosted.StripeForm {
	in, err := f.pay.PageIntent(r.Context(), c, m.ID, payment.TaxBuyer{Billing: tin.billing(c), VATID: tin.vatID})
	if err != nil {
		f.log.Warn("starting a Stripe payment for the page", "err", err, "checkout", c.ID, "requestId", httpx.RequestID(r.Context()))
		return &hosted.StripeForm{Error: p.T("stripe.unavailable")}
	}
	return &hosted.StripeForm{
		PublishableKey: in.PublishableKey, ClientSecret: in.ClientSecret, PayLabel: p.T("card.pay", "Amount", amount),
		ReturnPath: "/checkout/" + c.ShortCode + "/return?tx=" + in.Transaction.ID, Script: f.assets.URL("js/stripe.js"),
	}
}

// summary formats a checkout's lines and totals in the page's language.
func (f *Frontend) summary(c *checkout.Checkout, fm *money.Formatter, p *lang.Printer) (hosted.Summary, error) {
	cur, err := money.ParseCurrency(c.Currency)
	if err != nil {
		return hosted.Summary{}, fmt.Errorf("checkout %s: %w", c.ID, err)
	}
	totals, err := payment.Totals(c)
	if err != nil {
		return hosted.Summary{}, err
	}
	s := hosted.Summary{Reference: c.Reference(), Totals: hosted.Totals{
		Subtotal: fm.Format(totals.Net, cur), Total: fm.Format(c.Amount, cur),
	}}
	for _, t := range totals.Rates {
		s.Totals.Taxes = append(s.Totals.Taxes, hosted.TaxLine{Label: p.T("summary.vat", "Rate", fm.Number(t.Rate)), Amount: fm.Format(t.Tax, cur)})
	}
	for _, it := range c.Items {
		l := hosted.Line{Label: it.Label(), Description: it.Description, Quantity: it.Quantity, Qty: fm.InDigits(strconv.FormatInt(it.Quantity, 10)),
			UnitPrice: fm.Format(it.UnitPrice, cur), Total: fm.Format(it.LineTotal(), cur)}
		if it.VATRate != "" {
			l.VATNote = p.T("summary.incl_vat", "Rate", fm.Number(it.VATRate))
		}
		s.Lines = append(s.Lines, l)
	}
	return s, nil
}

func (f *Frontend) render(w http.ResponseWriter, r *http.Request, status int, pc pageCtx, c templ.Component) {
	securityHeaders(w, pc)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", pc.lang)
	w.Header().Add("Vary", "Accept-Language")
	w.WriteHeader(status)
	if err := c.Render(lang.With(r.Context(), pc.p), w); err != nil {
		f.log.Warn("rendering page", "err", err, "requestId", httpx.RequestID(r.Context()))
	}
}

func (f *Frontend) fail(w http.ResponseWriter, r *http.Request, err error) {
	if httpx.ClientGone(w, r) {
		return
	}
	f.log.Error("hosted page failed", "err", err, "requestId", httpx.RequestID(r.Context()))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, "Something went wrong on our side. Please try again in a moment. (request %s)\n", httpx.RequestID(r.Context()))
}

// when writes a time in the page's language, in the site's time zone (the
// page's script shows it in the buyer's own).
func (f *Frontend) when(pc pageCtx, t time.Time) hosted.When {
	var loc *time.Location
	if pc.site != nil {
		loc = pc.site.Location()
	}
	return hosted.When{ISO: t.UTC().Format(time.RFC3339), Text: pc.p.Time(t, loc, f.formatter(pc.lang).InDigits)}
}

// day writes a date in the page's language.
func (f *Frontend) day(pc pageCtx, t time.Time) string {
	return pc.p.Day(t, f.formatter(pc.lang).InDigits)
}

// langSwitch is the language switcher of a checkout's page.
func (f *Frontend) langSwitch(r *http.Request, c *checkout.Checkout, pc pageCtx) *hosted.LangSwitch {
	base, _ := pc.p.Tag.Base()
	current := base.String()
	for _, l := range f.words.Languages() {
		if lb, _ := language.MustParse(l.Tag).Base(); lb == base {
			current = l.Tag
		}
	}
	return &hosted.LangSwitch{Action: "/checkout/" + c.ShortCode, Current: current, Languages: f.words.Languages()}
}

// onThisHost answers not found when the request came through another site's
// custom domain: a domain serves its own site's pages only.
func (f *Frontend) onThisHost(r *http.Request, siteID string) error {
	only, err := f.hostSite(r)
	if err != nil {
		return err
	}
	if only != "" && only != siteID {
		return errs.ErrNotFound
	}
	return nil
}
