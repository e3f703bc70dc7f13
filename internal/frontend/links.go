package frontend

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/limits"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/paylink"
	"github.com/pgw/pgw/internal/risk"
	"github.com/pgw/pgw/templates/hosted"
)

// Links lets the pages serve reusable payment links: checkouts are made
// through svc, at most rule's count per client address (every use of a link
// stores a checkout, so a client may not make them without end).
func (f *Frontend) Links(svc *checkouts.Service, limiter *limits.Limiter, rule limits.Rule) {
	f.checkouts, f.limiter, f.linkRule = svc, limiter, rule
}

// linkPage loads the link of the URL with its site and the page's language;
// it answers the request itself (404 or 500) when it cannot.
func (f *Frontend) linkPage(w http.ResponseWriter, r *http.Request) (*paylink.Link, pageCtx, bool) {
	pc := f.anonymous(r)
	code := r.PathValue("code")
	var l *paylink.Link
	var err error = errs.ErrNotFound
	if len(code) <= 64 && f.checkouts != nil {
		l, err = f.store.PaymentLinkByCode(r.Context(), code)
	}
	if err == nil {
		err = f.onThisHost(r, l.SiteID)
	}
	if err == nil {
		pc.site, err = f.store.GetSite(r.Context(), l.OrganizationID, l.SiteID)
	}
	if errors.Is(err, errs.ErrNotFound) {
		f.render(w, r, http.StatusNotFound, pc, hosted.NotFound(f.head(pc, pc.p.T("notfound.title"))))
		return nil, pc, false
	}
	if err != nil {
		f.fail(w, r, err)
		return nil, pc, false
	}
	pc.p = f.words.Printer(f.words.Choose([]string{r.URL.Query().Get("lg")}, r.Header.Get("Accept-Language"), pc.site.DefaultLanguage))
	pc.lang = pc.p.Tag.String()
	return l, pc, true
}

func (f *Frontend) showLink(w http.ResponseWriter, r *http.Request) {
	l, pc, ok := f.linkPage(w, r)
	if !ok {
		return
	}
	taken, err := f.store.PaymentLinkTaken(r.Context(), l.ID, f.now())
	if err != nil {
		f.fail(w, r, err)
		return
	}
	status, v := http.StatusOK, f.linkView(l, pc)
	if err := l.Open(f.now(), taken); err != nil {
		status, v.Unavailable = http.StatusGone, f.unavailable(pc, err)
	}
	f.render(w, r, status, pc, hosted.Link(v))
}

// useLink makes a checkout of the customer's choice and sends them to it.
func (f *Frontend) useLink(w http.ResponseWriter, r *http.Request) {
	l, pc, ok := f.linkPage(w, r)
	if !ok {
		return
	}
	v := f.linkView(l, pc)
	if err := l.Open(f.now(), 0); err != nil {
		v.Unavailable = f.unavailable(pc, err)
		f.render(w, r, http.StatusGone, pc, hosted.Link(v))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		v.Error = pc.p.T("link.quantity_invalid", "Max", "99")
		f.render(w, r, http.StatusBadRequest, pc, hosted.Link(v))
		return
	}
	cur, _ := money.ParseCurrency(l.Currency) // checked when the link was made
	fm := f.formatter(pc.lang)
	var ch paylink.Choice
	if l.Custom() {
		v.Amount = strings.TrimSpace(r.PostForm.Get("amount"))
		n, err := money.ParseDecimal(strings.ReplaceAll(v.Amount, ",", "."), cur)
		if err != nil || n < l.CustomMin || n > l.CustomMax {
			v.Error = pc.p.T("link.amount_invalid", "Min", fm.Format(l.CustomMin, cur), "Max", fm.Format(l.CustomMax, cur))
			f.render(w, r, http.StatusUnprocessableEntity, pc, hosted.Link(v))
			return
		}
		ch.Amount = n
	} else {
		for i, it := range l.Items {
			q := it.Quantity
			if it.AdjustableQuantity {
				n, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("qty-"+strconv.Itoa(i))), 10, 64)
				if err != nil || n < 0 || n > paylink.MaxQuantity {
					q = -1
				} else {
					q = n
				}
				v.Items[i].Quantity = r.PostForm.Get("qty-" + strconv.Itoa(i))
			}
			ch.Quantities = append(ch.Quantities, q)
		}
	}
	if err := f.limiter.Take(r.Context(), limits.Key{Bucket: "link:" + httpx.ClientAddr(r), Rule: f.linkRule}); err != nil {
		f.refuseLink(w, r, pc, v, err)
		return
	}
	c, err := f.checkouts.FromLink(r.Context(), l, ch)
	if err != nil {
		f.refuseLink(w, r, pc, v, err)
		return
	}
	http.Redirect(w, r, "/checkout/"+c.ShortCode, http.StatusSeeOther)
}

// refuseLink answers a use of a link that was refused.
func (f *Frontend) refuseLink(w http.ResponseWriter, r *http.Request, pc pageCtx, v hosted.LinkPage, err error) {
	var ex *limits.Exceeded
	var refusal *risk.Refusal
	e, known := errs.As(err)
	switch {
	case errors.As(err, &ex):
		w.Header().Set("Retry-After", strconv.Itoa(ex.RetryAfterSeconds()))
		mins := int(ex.RetryAfter.Minutes()) + 1
		v.Error = pc.p.N("state.too_many", mins, "Count", mins)
		f.render(w, r, http.StatusTooManyRequests, pc, hosted.Link(v))
	case errors.Is(err, paylink.ErrSoldOut), errors.Is(err, paylink.ErrEnded), errors.Is(err, paylink.ErrInactive):
		v.Unavailable = f.unavailable(pc, err)
		f.render(w, r, http.StatusGone, pc, hosted.Link(v))
	case errors.As(err, &refusal):
		v.Error = pc.p.T("form.cannot_take")
		f.render(w, r, http.StatusForbidden, pc, hosted.Link(v))
	case known && e.Kind == errs.Invalid:
		v.Error = pc.p.T("link.quantity_invalid", "Max", strconv.Itoa(paylink.MaxQuantity))
		f.render(w, r, http.StatusUnprocessableEntity, pc, hosted.Link(v))
	default:
		f.fail(w, r, err)
	}
}

func (f *Frontend) unavailable(pc pageCtx, err error) string {
	switch {
	case errors.Is(err, paylink.ErrSoldOut):
		return pc.p.T("link.sold_out")
	case errors.Is(err, paylink.ErrEnded):
		return pc.p.T("link.ended")
	}
	return pc.p.T("link.inactive")
}

func (f *Frontend) linkView(l *paylink.Link, pc pageCtx) hosted.LinkPage {
	cur, _ := money.ParseCurrency(l.Currency)
	fm := f.formatter(pc.lang)
	v := hosted.LinkPage{Head: f.head(pc, l.Name), Brand: hosted.Brand{SiteName: pc.site.DisplayName, LogoURL: pc.site.LogoURL},
		Name: l.Name, Action: "/l/" + l.Code, Custom: l.Custom(), Currency: l.Currency}
	if l.Custom() {
		v.Min, v.Max = fm.Format(l.CustomMin, cur), fm.Format(l.CustomMax, cur)
	}
	for i, it := range l.Items {
		v.Items = append(v.Items, hosted.LinkItem{Index: strconv.Itoa(i), Name: it.Name, UnitPrice: fm.Format(it.UnitPrice, cur),
			Quantity: strconv.FormatInt(it.Quantity, 10), Adjustable: it.AdjustableQuantity})
	}
	return v
}
