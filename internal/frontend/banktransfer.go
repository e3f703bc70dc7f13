package frontend

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"rsc.io/qr"

	"github.com/pgw/pgw/internal/bank"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/templates/hosted"
)

// wireForm takes the buyer's choice of a bank transfer and shows the page
// again, which now holds the instructions. A reload or a second tab finds
// the same transfer.
func (f *Frontend) wireForm(w http.ResponseWriter, r *http.Request) {
	c, pc, ok := f.load(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		f.page(w, r, c, pc, http.StatusBadRequest, &formError{message: pc.p.T("form.unreadable"), wire: true})
		return
	}
	back := "/checkout/" + c.ShortCode
	in := taxInputOf(r)
	var billing *checkout.Address
	if in.country != "" {
		billing = in.billing(c)
	}
	_, err := f.pay.StartBankTransfer(r.Context(), c, r.PostForm.Get("provider"), r.PostForm.Get("attempt"), httpx.ClientAddr(r),
		payment.TaxBuyer{Billing: billing, VATID: in.vatID})
	switch {
	case err == nil:
		http.Redirect(w, r, back, http.StatusSeeOther)
	case f.refused(w, r, c, pc, err, formError{wire: true}):
	case errors.Is(err, store.ErrAttemptUsed), errors.Is(err, store.ErrTransferPending):
		f.page(w, r, c, pc, http.StatusConflict, &formError{message: pc.p.T("wire.sent_before"), wire: true})
	default:
		f.fail(w, r, err)
	}
}

// transferPage shows the instructions of the checkout's transfer under way
// and what has arrived so far.
func (f *Frontend) transferPage(w http.ResponseWriter, r *http.Request, c *checkout.Checkout, pc pageCtx, brand hosted.Brand, sum hosted.Summary, tr *payment.Transfer) {
	fm := f.formatter(pc.lang)
	cur, err := money.ParseCurrency(tr.Transfer.Currency)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	if err := f.chargedTax(r.Context(), c, tr.Transaction.ID, fm, &sum); err != nil {
		f.fail(w, r, err)
		return
	}
	bt, acct := tr.Transfer, tr.Account
	p := hosted.TransferPage{
		Head: f.head(pc, pc.p.T("wire.title", "Site", pc.site.DisplayName)), Brand: brand, Summary: sum,
		AccountHolder: acct.AccountHolder, BankName: acct.BankName, IBAN: bank.IBAN(acct.IBAN).Grouped(), BIC: acct.BIC,
		Amount: fm.Format(bt.Balance(), cur), Reference: bank.Reference(bt.Reference).Grouped(),
		DueAt: f.day(pc, bt.DueAt), Instructions: acct.Instructions, TestMode: c.Mode == checkout.ModeTest,
	}
	p.Head.Switch = f.langSwitch(r, c, pc)
	if bt.AmountReceived > 0 {
		p.Received, p.Balance = fm.Format(bt.AmountReceived, cur), fm.Format(bt.Balance(), cur)
	}
	if bt.Currency == "EUR" {
		p.QR = epcQR(bank.EPC{BIC: acct.BIC, Name: acct.AccountHolder, IBAN: bank.IBAN(acct.IBAN), Cents: bt.Balance(), Reference: bank.Reference(bt.Reference)})
	}
	f.render(w, r, http.StatusOK, pc, hosted.Transfer(p))
}

// epcQR draws the EPC QR code of a transfer as SVG (error correction M, as
// the standard asks), or nil when there is nothing to draw.
func epcQR(e bank.EPC) *hosted.QR {
	payload, err := e.Payload()
	if err != nil {
		return nil
	}
	code, err := qr.Encode(payload, qr.M)
	if err != nil {
		return nil
	}
	const quiet = 4 // the quiet zone scanners need, in modules
	var d strings.Builder
	for y := range code.Size {
		for x := 0; x < code.Size; x++ {
			if !code.Black(x, y) {
				continue
			}
			run := 1
			for x+run < code.Size && code.Black(x+run, y) {
				run++
			}
			d.WriteString("M" + strconv.Itoa(x+quiet) + " " + strconv.Itoa(y+quiet) + "h" + strconv.Itoa(run) + "v1h-" + strconv.Itoa(run) + "z")
			x += run - 1
		}
	}
	n := code.Size + 2*quiet
	return &hosted.QR{Size: n, Path: d.String(), ViewBox: "0 0 " + strconv.Itoa(n) + " " + strconv.Itoa(n)}
}

// pendingTransfer is the checkout's transfer under way, or nil.
func (f *Frontend) pendingTransfer(ctx context.Context, c *checkout.Checkout) (*payment.Transfer, error) {
	tr, err := f.pay.PendingTransfer(ctx, c)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil
	}
	return tr, err
}
