package dashboard

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"rsc.io/qr"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/paylink"
	"github.com/pgw/pgw/internal/store"
	views "github.com/pgw/pgw/templates/dashboard"
)

// reusableRows is how many item rows the reusable link form offers.
const reusableRows = 5

// listLinks shows the reusable payment links with what each took.
func (d *Dashboard) listLinks(w http.ResponseWriter, r *http.Request, s *signedIn) {
	page := pageNumber(r)
	links, total, err := d.store.ListPaymentLinks(r.Context(), s.orgID, "", page, pageSize)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	if problem := listProblem(r, total, "", nil); problem != "" {
		d.render(w, r, http.StatusBadRequest, views.Links(d.frameError(s, "reusable", "Payment links", problem), views.LinkList{}))
		return
	}
	idList := make([]string, len(links))
	for i, l := range links {
		idList[i] = l.ID
	}
	stats, err := d.store.PaymentLinkStats(r.Context(), idList)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	v := views.LinkList{Pager: pagerFor(r, page, total)}
	now := d.opts.Now()
	for _, l := range links {
		v.Rows = append(v.Rows, views.ReusableRow{ID: l.ID, Name: l.Name, Mode: string(l.Mode), State: linkState(l, now),
			Payments: paymentsLabel(stats[l.ID].Payments, l.MaxPayments), Volume: amount(stats[l.ID].Volume, l.Currency),
			Created: when(l.CreatedAt)})
	}
	d.render(w, r, http.StatusOK, views.Links(d.frame(s, "reusable", "Payment links"), v))
}

func paymentsLabel(n, limit int) string {
	if limit == 0 {
		return strconv.Itoa(n)
	}
	return strconv.Itoa(n) + " of " + strconv.Itoa(limit)
}

func linkState(l *paylink.Link, now time.Time) string {
	switch err := l.Open(now, 0); {
	case errors.Is(err, paylink.ErrInactive):
		return "inactive"
	case errors.Is(err, paylink.ErrEnded):
		return "ended"
	}
	return "active"
}

func (d *Dashboard) reusableForm(r *http.Request, s *signedIn, in views.ReusableForm, site, currency, mode string) (views.ReusableForm, error) {
	base, err := d.linkForm(r, s, views.LinkForm{}, site, currency, mode)
	if err != nil {
		return in, err
	}
	in.Sites, in.Currencies, in.Modes = base.Sites, base.Currencies, base.Modes
	for len(in.Items) < reusableRows {
		in.Items = append(in.Items, views.ReusableItem{Quantity: "1"})
	}
	return in, nil
}

func (d *Dashboard) newReusable(w http.ResponseWriter, r *http.Request, s *signedIn) {
	v, err := d.reusableForm(r, s, views.ReusableForm{Kind: "items"}, "", "", string(checkout.ModeTest))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.render(w, r, http.StatusOK, views.NewReusable(d.frame(s, "reusable", "New reusable payment link"), v))
}

// createReusable makes a reusable link from the form and shows it.
func (d *Dashboard) createReusable(w http.ResponseWriter, r *http.Request, s *signedIn) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		d.back(w, r, s, "/dashboard/links/reusable/new", "", "The form could not be read.")
		return
	}
	f := r.PostForm
	in := views.ReusableForm{Name: f.Get("name"), Kind: f.Get("kind"), Min: f.Get("min"), Max: f.Get("max"),
		MaxPayments: f.Get("maxPayments"), Ends: f.Get("ends")}
	for i := range reusableRows {
		n := strconv.Itoa(i)
		in.Items = append(in.Items, views.ReusableItem{Name: f.Get("item-name-" + n), Price: f.Get("item-price-" + n),
			Quantity: f.Get("item-qty-" + n), Adjustable: f.Get("item-adjustable-"+n) != ""})
	}
	site, currency, mode := f.Get("site"), strings.ToUpper(f.Get("currency")), f.Get("mode")
	refuse := func(msg string) {
		v, err := d.reusableForm(r, s, in, site, currency, mode)
		if err != nil {
			d.fail(w, r, s, err)
			return
		}
		d.render(w, r, http.StatusUnprocessableEntity, views.NewReusable(d.frameError(s, "reusable", "New reusable payment link", msg), v))
	}
	st, err := d.store.GetSite(r.Context(), s.orgID, site)
	if errors.Is(err, errs.ErrNotFound) {
		refuse("Choose one of your sites.")
		return
	}
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	cur, err := money.ParseCurrency(currency)
	if err != nil {
		refuse("Choose a currency.")
		return
	}
	if mode != string(checkout.ModeTest) && mode != string(checkout.ModeLive) {
		refuse("The mode must be test or live.")
		return
	}
	now := d.opts.Now()
	l := &paylink.Link{ID: ids.New("plink"), OrganizationID: s.orgID, SiteID: st.ID, Mode: checkout.Mode(mode), Code: ids.Token(16),
		Name: in.Name, Currency: cur.Code, Active: true, CreatedBy: s.user.Email, CreatedAt: now, UpdatedAt: now}
	if in.Kind == "custom" {
		if l.CustomMin, err = money.ParseDecimal(in.Min, cur); err != nil {
			refuse("The smallest amount must be an amount of " + cur.Code + ", such as 5.00.")
			return
		}
		if l.CustomMax, err = money.ParseDecimal(in.Max, cur); err != nil || l.CustomMax < 1 {
			refuse("The largest amount must be an amount of " + cur.Code + ", such as 500.00.")
			return
		}
	} else {
		for i, it := range in.Items {
			if strings.TrimSpace(it.Name) == "" && strings.TrimSpace(it.Price) == "" {
				continue
			}
			price, err := money.ParseDecimal(it.Price, cur)
			qty, qerr := strconv.ParseInt(strings.TrimSpace(it.Quantity), 10, 64)
			if err != nil || qerr != nil {
				refuse("Item " + strconv.Itoa(i+1) + ": give a price (such as 12.50) and a whole quantity.")
				return
			}
			l.Items = append(l.Items, paylink.Item{Name: it.Name, UnitPrice: price, Quantity: qty, AdjustableQuantity: it.Adjustable})
		}
	}
	if in.MaxPayments != "" {
		if l.MaxPayments, err = strconv.Atoi(strings.TrimSpace(in.MaxPayments)); err != nil {
			refuse("The number of payments must be a whole number, or empty for no limit.")
			return
		}
	}
	if in.Ends != "" {
		day, err := time.Parse(time.DateOnly, in.Ends)
		if err != nil {
			refuse("The end must be a date.")
			return
		}
		l.ExpiresAt = day.AddDate(0, 0, 1) // the end of that day, UTC
	}
	err = l.Check(d.opts.MaxAmount, now)
	if err == nil {
		err = d.store.CreatePaymentLink(r.Context(), l)
	}
	if e, ok := errs.As(err); ok && (e.Kind == errs.Invalid || e.Kind == errs.Conflict) {
		refuse(e.Message)
		return
	}
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("reusable payment link created", "link", l.ID, "user", s.user.ID)
	http.Redirect(w, r, "/dashboard/links/"+l.ID, http.StatusSeeOther)
}

// showReusable shows a link: its address, what it offers, and its payments.
func (d *Dashboard) showReusable(w http.ResponseWriter, r *http.Request, s *signedIn) {
	l, err := d.store.GetPaymentLink(r.Context(), s.orgID, "", r.PathValue("id"))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	stats, err := d.store.PaymentLinkStats(r.Context(), []string{l.ID})
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	list, total, err := d.store.ListCheckouts(r.Context(), store.CheckoutFilter{OrganizationID: s.orgID, PaymentLinkID: l.ID, Page: 1, Limit: 50})
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	cur, _ := money.ParseCurrency(l.Currency)
	url := paylink.URL(d.pages.Base(r.Context(), l.SiteID), l.Code)
	v := views.ReusableLink{ID: l.ID, Name: l.Name, URL: url, Mode: string(l.Mode), State: linkState(l, d.opts.Now()),
		Payments: paymentsLabel(stats[l.ID].Payments, l.MaxPayments), Volume: amount(stats[l.ID].Volume, l.Currency),
		Checkouts: total, Active: l.Active}
	if code, err := qr.Encode(url, qr.M); err == nil {
		v.QR = "data:image/png;base64," + base64.StdEncoding.EncodeToString(code.PNG())
	}
	if l.Custom() {
		v.Offer = append(v.Offer, "An amount the customer chooses, from "+fm.Format(l.CustomMin, cur)+" to "+fm.Format(l.CustomMax, cur))
	}
	for _, it := range l.Items {
		line := strconv.FormatInt(it.Quantity, 10) + " × " + it.Name + " at " + fm.Format(it.UnitPrice, cur)
		if it.AdjustableQuantity {
			line += " (the customer chooses the quantity)"
		}
		v.Offer = append(v.Offer, line)
	}
	if !l.ExpiresAt.IsZero() {
		v.Ends = when(l.ExpiresAt)
	}
	now := d.opts.Now()
	for _, c := range list {
		v.Rows = append(v.Rows, views.CheckoutRow{ID: c.ID, Reference: c.Reference(), Email: c.Email, Amount: amount(c.Amount, c.Currency),
			Status: string(c.EffectiveStatus(now)), Created: when(c.CreatedAt), Mode: string(c.Mode)})
	}
	d.render(w, r, http.StatusOK, views.ReusablePage(d.frame(s, "reusable", l.Name), v))
}

func (d *Dashboard) deactivateReusable(w http.ResponseWriter, r *http.Request, s *signedIn) {
	l, err := d.store.DeactivatePaymentLink(r.Context(), s.orgID, "", r.PathValue("id"), d.opts.Now())
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.back(w, r, s, "/dashboard/links/"+l.ID, "The link takes no more payments.", "")
}
