package frontend

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/limits"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/provider"
	"github.com/pgw/pgw/internal/risk"
	"github.com/pgw/pgw/internal/tax"
)

// payForm takes the sandbox card form. Success sends the buyer to the
// merchant's return URL (or our receipt); a decline or a mistake shows the
// page again with the reason, for another try on the same checkout. A
// checkout that can no longer be paid shows its state, whatever was posted.
func (f *Frontend) payForm(w http.ResponseWriter, r *http.Request) {
	c, pc, ok := f.load(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		f.page(w, r, c, pc, http.StatusBadRequest, &formError{message: "The form could not be read. Please try again."})
		return
	}
	back := "/checkout/" + c.ShortCode
	month, year := provider.ParseExpiry(r.PostForm.Get("expiry"))
	name, email := r.PostForm.Get("name"), strings.TrimSpace(r.PostForm.Get("email"))
	var billing *checkout.Address
	if email != "" && c.Email == "" {
		var err error
		if billing, err = checkout.CheckAddress("billingAddress", &checkout.Address{Email: email}); err != nil {
			f.page(w, r, c, pc, http.StatusUnprocessableEntity, &formError{message: "Please check the email address.",
				field: "billingAddress.email", name: name, email: email})
			return
		}
	}
	in := taxInputOf(r)
	if in.country != "" {
		b := in.billing(c)
		if billing != nil {
			b.Email = billing.Email
		}
		billing = b
	}
	res, err := f.pay.Pay(r.Context(), c, payment.Attempt{
		ProviderID: r.PostForm.Get("provider"), AttemptKey: r.PostForm.Get("attempt"),
		CardNumber: r.PostForm.Get("number"), ExpMonth: month, ExpYear: year,
		CVC: r.PostForm.Get("cvc"), CardName: name, ClientAddr: httpx.ClientAddr(r), Billing: billing, VATID: in.vatID,
	})
	var ve *checkout.Error
	var ex *limits.Exceeded
	var held *risk.Refusal
	switch {
	case errs.Is(err, tax.ErrNoCountry):
		f.page(w, r, c, pc, http.StatusUnprocessableEntity, &formError{message: "Please choose your country above and update the total before paying.",
			field: "billingAddress.country", name: name, email: email})
	case errors.As(err, &held):
		f.page(w, r, c, pc, http.StatusForbidden, &formError{message: "This payment cannot be taken here. Please contact the merchant.", name: name, email: email})
	case errors.As(err, &ex):
		f.tooManyAttempts(w, r, c, pc, ex)
	case errors.Is(err, checkout.ErrNotOpen):
		http.Redirect(w, r, back, http.StatusSeeOther)
	case errors.Is(err, payment.ErrNoSuchMethod):
		f.page(w, r, c, pc, http.StatusUnprocessableEntity, &formError{message: "This payment method is not available for this checkout.", name: name})
	case errors.As(err, &ve):
		f.page(w, r, c, pc, http.StatusUnprocessableEntity, &formError{message: ve.Message, field: ve.Field, name: name})
	case err != nil:
		f.fail(w, r, err)
	case res.Outcome == payment.Paid && res.RedirectURL != "":
		http.Redirect(w, r, res.RedirectURL, http.StatusSeeOther)
	case res.Outcome == payment.Paid:
		http.Redirect(w, r, back, http.StatusSeeOther)
	case res.Outcome == payment.AlreadyClosed:
		f.alreadyClosed(w, r, c, pc)
	case res.Outcome == payment.Pending:
		f.page(w, r, c, pc, http.StatusAccepted, &formError{message: "Your payment is still being processed. Reload this page in a moment.", name: name})
	default:
		f.page(w, r, c, pc, http.StatusPaymentRequired, &formError{message: res.Message, field: "card.number", name: name})
	}
}

// tooManyAttempts tells a buyer past a limit of payment attempts to wait;
// nothing was written and no provider was asked.
func (f *Frontend) tooManyAttempts(w http.ResponseWriter, r *http.Request, c *checkout.Checkout, pc pageCtx, ex *limits.Exceeded) {
	w.Header().Set("Retry-After", strconv.Itoa(ex.RetryAfterSeconds()))
	f.closedState(w, r, c, pc, http.StatusTooManyRequests, "Too many attempts", "Too many payment attempts",
		fmt.Sprintf("For your security, payments on this page are paused. Please try again in %d minutes. Nothing was charged.",
			int(ex.RetryAfter/time.Minute)+1))
}

// alreadyClosed tells a buyer whose payment lost the race against another
// payment or the expiry that nothing was charged.
func (f *Frontend) alreadyClosed(w http.ResponseWriter, r *http.Request, c *checkout.Checkout, pc pageCtx) {
	f.closedState(w, r, c, pc, http.StatusConflict, "Checkout already closed", "This checkout can no longer be paid",
		"It was paid, expired or canceled while you were paying. Your card was not charged.")
}

// closedState is state for an answer to a payment form, which has no
// summary at hand.
func (f *Frontend) closedState(w http.ResponseWriter, r *http.Request, c *checkout.Checkout, pc pageCtx, status int, headTitle, title, message string) {
	sum, err := f.summary(c, f.formatter(pc.lang))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.state(w, r, c, pc, status, sum.Totals.Total, headTitle, title, message)
}
