package frontend

import (
	"errors"

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
		f.page(w, r, c, pc, http.StatusBadRequest, &formError{message: pc.p.T("form.unreadable")})
		return
	}
	back := "/checkout/" + c.ShortCode
	month, year := provider.ParseExpiry(r.PostForm.Get("expiry"))
	name, email := r.PostForm.Get("name"), strings.TrimSpace(r.PostForm.Get("email"))
	if email == "" && c.Email == "" && pc.site.RequireEmail {
		f.page(w, r, c, pc, http.StatusUnprocessableEntity, &formError{message: pc.p.T("form.email_required"), field: "billingAddress.email",
			name: name, fields: map[string]string{"email": pc.p.T("form.email_required")}})
		return
	}
	var billing *checkout.Address
	if email != "" && c.Email == "" {
		var err error
		if billing, err = checkout.CheckAddress("billingAddress", &checkout.Address{Email: email}); err != nil {
			f.page(w, r, c, pc, http.StatusUnprocessableEntity, &formError{message: pc.p.T("form.check_email"),
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
	switch {
	case f.refused(w, r, c, pc, err, formError{name: name, email: email}):
	case errors.As(err, &ve) && strings.HasPrefix(ve.Field, "card."):
		// Every wrong field at once, each beside its field.
		fields := map[string]string{}
		for _, e := range provider.CardProblems(r.PostForm.Get("number"), month, year, r.PostForm.Get("cvc"), name) {
			fields[strings.TrimPrefix(e.Field, "card.")] = fieldMessage(pc, e)
		}
		f.page(w, r, c, pc, http.StatusUnprocessableEntity, &formError{message: fieldMessage(pc, ve), field: ve.Field, name: name, email: email, fields: fields})
	case errors.As(err, &ve):
		f.page(w, r, c, pc, http.StatusUnprocessableEntity, &formError{message: fieldMessage(pc, ve), field: ve.Field, name: name})
	case err != nil:
		f.fail(w, r, err)
	case res.Outcome == payment.Paid && res.RedirectURL != "":
		http.Redirect(w, r, res.RedirectURL, http.StatusSeeOther)
	case res.Outcome == payment.Paid:
		http.Redirect(w, r, back, http.StatusSeeOther)
	case res.Outcome == payment.AlreadyClosed:
		f.alreadyClosed(w, r, c, pc)
	case res.Outcome == payment.Pending:
		f.page(w, r, c, pc, http.StatusAccepted, &formError{message: pc.p.T("form.processing"), name: name})
	default:
		f.page(w, r, c, pc, http.StatusPaymentRequired, &formError{message: declineMessage(pc, res.Transaction.FailureCode, res.Message), field: "card.number", name: name})
	}
}

// refused answers the refusals every payment form shares (no country yet
// under the tax engine, a risk hold, too many attempts, a checkout no longer
// open, a method not offered) and reports whether it did; fe is what the
// form shows again.
func (f *Frontend) refused(w http.ResponseWriter, r *http.Request, c *checkout.Checkout, pc pageCtx, err error, fe formError) bool {
	var held *risk.Refusal
	var ex *limits.Exceeded
	switch {
	case errs.Is(err, tax.ErrNoCountry):
		fe.message, fe.field = pc.p.T("form.choose_country"), "billingAddress.country"
		f.page(w, r, c, pc, http.StatusUnprocessableEntity, &fe)
	case errors.As(err, &held):
		fe.message = pc.p.T("form.cannot_take")
		f.page(w, r, c, pc, http.StatusForbidden, &fe)
	case errors.As(err, &ex):
		f.tooManyAttempts(w, r, c, pc, ex)
	case errors.Is(err, checkout.ErrNotOpen):
		http.Redirect(w, r, "/checkout/"+c.ShortCode, http.StatusSeeOther)
	case errors.Is(err, payment.ErrNoSuchMethod):
		fe.message = pc.p.T("form.method_unavailable")
		f.page(w, r, c, pc, http.StatusUnprocessableEntity, &fe)
	default:
		return false
	}
	return true
}

// tooManyAttempts tells a buyer past a limit of payment attempts to wait;
// nothing was written and no provider was asked.
func (f *Frontend) tooManyAttempts(w http.ResponseWriter, r *http.Request, c *checkout.Checkout, pc pageCtx, ex *limits.Exceeded) {
	w.Header().Set("Retry-After", strconv.Itoa(ex.RetryAfterSeconds()))
	f.closedState(w, r, c, pc, http.StatusTooManyRequests, pc.p.T("state.too_many_title"), pc.p.T("state.too_many_heading"),
		pc.p.N("state.too_many", int(ex.RetryAfter/time.Minute)+1))
}

// alreadyClosed tells a buyer whose payment lost the race against another
// payment or the expiry that nothing was charged.
func (f *Frontend) alreadyClosed(w http.ResponseWriter, r *http.Request, c *checkout.Checkout, pc pageCtx) {
	f.closedState(w, r, c, pc, http.StatusConflict, pc.p.T("state.closed_title"), pc.p.T("state.closed_heading"), pc.p.T("state.closed"))
}

// closedState is state for an answer to a payment form, which has no
// summary at hand.
func (f *Frontend) closedState(w http.ResponseWriter, r *http.Request, c *checkout.Checkout, pc pageCtx, status int, headTitle, title, message string) {
	sum, err := f.summary(c, f.formatter(pc.lang), pc.p)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.state(w, r, c, pc, status, sum.Totals.Total, headTitle, title, message)
}

// fieldMessage says in the page's language what is wrong with a card field.
func fieldMessage(pc pageCtx, e *checkout.Error) string {
	switch e.Field {
	case "card.number":
		return pc.p.T("form.card_number")
	case "card.expiry":
		return pc.p.T("form.card_expiry")
	case "card.cvc":
		digits := "3"
		if strings.Contains(e.Message, "4-digit") {
			digits = "4"
		}
		return pc.p.T("form.card_cvc", "Digits", digits)
	case "card.name":
		return pc.p.T("form.card_name")
	}
	return e.Message
}

// declineMessage says why a card was declined in the page's language; a
// code without a message of ours keeps the provider's words.
func declineMessage(pc pageCtx, code, providerMessage string) string {
	switch code {
	case "card_declined", "insufficient_funds", "expired_card", "incorrect_number", "processing_error":
		return pc.p.T("decline." + code)
	}
	if providerMessage != "" {
		return providerMessage
	}
	return pc.p.T("decline.other")
}
