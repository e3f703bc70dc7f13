package dashboard

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"rsc.io/qr"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/money"
	views "github.com/pgw/pgw/templates/dashboard"
)

// linkCurrencies are offered first in the payment-link form; any ISO 4217
// code is accepted.
var linkCurrencies = []string{"EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "JPY", "CAD", "AUD"}

// maxLinkItems bounds the item rows of one form.
const maxLinkItems = 50

func (d *Dashboard) linkForm(r *http.Request, s *signedIn, in views.LinkForm, site, currency, mode string) (views.LinkForm, error) {
	sites, _, err := d.siteOptions(r, s, site, "")
	if err != nil {
		return in, err
	}
	in.Sites = sites
	if currency == "" {
		currency = "EUR"
	}
	found := false
	for _, c := range linkCurrencies {
		in.Currencies = append(in.Currencies, views.Option{Value: c, Label: c, Selected: c == currency})
		found = found || c == currency
	}
	if !found {
		in.Currencies = append(in.Currencies, views.Option{Value: currency, Label: currency, Selected: true})
	}
	for _, m := range []checkout.Mode{checkout.ModeTest, checkout.ModeLive} {
		label := "Test (no real money)"
		if m == checkout.ModeLive {
			label = "Live"
		}
		in.Modes = append(in.Modes, views.Option{Value: string(m), Label: label, Selected: string(m) == mode})
	}
	if len(in.Items) == 0 {
		in.Items = []views.LinkItem{{Quantity: "1"}}
	}
	return in, nil
}

func (d *Dashboard) newLink(w http.ResponseWriter, r *http.Request, s *signedIn) {
	v, err := d.linkForm(r, s, views.LinkForm{ExpiresIn: "1440"}, r.URL.Query().Get("site"), "", string(checkout.ModeTest))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.render(w, r, http.StatusOK, views.NewLink(d.frame(s, "links", "New payment link"), v))
}

// createLink makes a checkout from the form, with the same validation as the
// API, and hands over its URL and QR code.
// linkRequest is the new-link form as sent.
type linkRequest struct {
	in                   views.LinkForm
	mode                 checkout.Mode
	siteID, currencyCode string
}

func readLinkForm(f url.Values) linkRequest {
	req := linkRequest{in: views.LinkForm{
		Reference: strings.TrimSpace(f.Get("reference")), Email: strings.TrimSpace(f.Get("email")),
		ExpiresIn: strings.TrimSpace(f.Get("expires_in")), ReturnURL: strings.TrimSpace(f.Get("return_url")),
	}, mode: checkout.Mode(f.Get("mode")), siteID: f.Get("site"), currencyCode: strings.ToUpper(strings.TrimSpace(f.Get("currency")))}
	names, qtys, prices := f["item_name"], f["item_qty"], f["item_price"]
	for i := 0; i < len(names) && i < maxLinkItems; i++ {
		it := views.LinkItem{Name: strings.TrimSpace(names[i])}
		if i < len(qtys) {
			it.Quantity = strings.TrimSpace(qtys[i])
		}
		if i < len(prices) {
			it.Price = strings.TrimSpace(prices[i])
		}
		if it.Name != "" || it.Price != "" {
			req.in.Items = append(req.in.Items, it)
		}
	}
	if req.mode != checkout.ModeLive {
		req.mode = checkout.ModeTest
	}
	return req
}

func (d *Dashboard) createLink(w http.ResponseWriter, r *http.Request, s *signedIn) {
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		d.back(w, r, s, "/dashboard/links/new", "", "The form could not be read.")
		return
	}
	req := readLinkForm(r.PostForm)
	c, err := d.linkCheckout(r.Context(), s, req)
	if e, ok := errs.As(err); ok && e.Kind == errs.Invalid {
		req.in.Field = e.Field
		v, err := d.linkForm(r, s, req.in, req.siteID, req.currencyCode, string(req.mode))
		if err != nil {
			d.fail(w, r, s, err)
			return
		}
		d.render(w, r, http.StatusUnprocessableEntity, views.NewLink(d.frameError(s, "links", "New payment link", e.Message), v))
		return
	}
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("payment link created", "checkout", c.ID, "user", s.user.ID)
	link := c.PaymentURL(d.pages.Base(r.Context(), c.SiteID))
	v := views.LinkCreated{ID: c.ID, URL: link, Amount: amount(c.Amount, c.Currency), Expires: when(c.ExpiresAt)}
	if code, err := qr.Encode(link, qr.M); err == nil {
		v.QR = "data:image/png;base64," + base64.StdEncoding.EncodeToString(code.PNG())
	}
	d.render(w, r, http.StatusCreated, views.LinkCreatedPage(d.frame(s, "links", "Payment link ready"), v))
}

// linkCheckout creates the checkout of a payment link through the checkout
// service; what the form gets wrong is an Invalid error in the operator's
// words, naming the field when the checkout model refused it.
func (d *Dashboard) linkCheckout(ctx context.Context, s *signedIn, form linkRequest) (*checkout.Checkout, error) {
	bad := func(msg string) error { return errs.Refused("invalid_form", "", msg) }
	st, err := d.store.GetSite(ctx, s.orgID, form.siteID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, bad("Choose one of your sites.")
	}
	if err != nil {
		return nil, err
	}
	cur, err := money.ParseCurrency(form.currencyCode)
	if err != nil {
		return nil, bad("Choose a currency.")
	}
	in := form.in
	req := checkout.CreateRequest{
		Currency: cur.Code, Email: in.Email, ReturnURL: in.ReturnURL,
		ExternalReference: checkout.Text(in.Reference), ExpiresInMinutes: json.Number(in.ExpiresIn),
	}
	var total int64
	for i, it := range in.Items {
		n := strconv.Itoa(i + 1)
		qty, err := strconv.ParseInt(it.Quantity, 10, 64)
		if err != nil || qty < 1 {
			return nil, bad("Item " + n + ": the quantity must be a whole number from 1.")
		}
		price, err := money.ParseDecimal(it.Price, cur)
		if err != nil || price <= 0 {
			return nil, bad("Item " + n + ": the unit price must be a positive amount of " + cur.Code + ", such as 12.50.")
		}
		if total, err = money.MulAdd(total, qty, price); err != nil {
			return nil, bad("The total is too large.")
		}
		req.Items = append(req.Items, checkout.ItemRequest{
			Name: it.Name, Quantity: json.Number(it.Quantity), UnitPrice: json.Number(strconv.FormatInt(price, 10)),
		})
	}
	if len(req.Items) == 0 {
		return nil, bad("Add at least one item with a price.")
	}
	req.Amount = json.Number(strconv.FormatInt(total, 10))
	c, err := d.checkouts.Build(checkouts.Input{Request: &req, Site: st, Mode: form.mode, Source: checkout.SourceDashboard})
	if e, ok := errs.As(err); ok && e.Kind == errs.Invalid {
		return nil, errs.Refused(e.Code, e.Field, fieldLabel(e.Field)+": "+e.Message)
	}
	if err != nil {
		return nil, err
	}
	c.Metadata["createdBy"] = s.user.Email
	return c, d.checkouts.Create(ctx, c, nil)
}

// fieldLabel names a request field as the form does.
func fieldLabel(field string) string {
	switch {
	case field == "externalReference":
		return "Reference"
	case field == "email":
		return "Buyer's email"
	case field == "returnUrl":
		return "Return URL"
	case field == "expiresInMinutes" || field == "expiresAt":
		return "Expiry"
	case strings.HasPrefix(field, "items"):
		return "Items"
	case field == "amount":
		return "Total"
	}
	return field
}
