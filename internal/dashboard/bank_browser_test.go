package dashboard_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pgw/pgw/internal/browsertest"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// TestBrowserBankTransfer is a bank transfer from both sides: the operator
// adds the account, the buyer chooses bank transfer and sees the
// instructions and the QR code, part of the money is recorded, the buyer
// comes back to the balance, and the operator's statement upload completes
// the checkout.
func TestBrowserBankTransfer(t *testing.T) {
	ctx := browsertest.New(t)
	w := newWorld(t, storetest.Open(t, store.SQLite))
	signInAs(t, ctx, w, "admin")

	storetest.Must(t, chromedp.Do(ctx,
		chromedp.Navigate(w.admin+"/dashboard/sites/"+w.acme.Site.ID),
		js(`document.querySelectorAll("details").forEach(d => d.open = true)`),
		chromedp.WaitVisible(chromedp.ID("wire-provider")),
		chromedp.SendKeys(chromedp.ID("w-holder"), "Acme GmbH"),
		chromedp.SendKeys(chromedp.ID("w-bank"), "Commerzbank"),
		chromedp.SendKeys(chromedp.ID("w-iban"), "DE89 3704 0044 0532 0130 00"),
		chromedp.SendKeys(chromedp.ID("w-bic"), "COBADEFFXXX"),
		chromedp.Click(chromedp.CSS("#wire-provider button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("p.alert")),
	), "add the bank transfer account")
	if msg := text(t, ctx, "p.alert"); !strings.Contains(msg, "Bank transfer is added") {
		t.Fatalf("after adding: %q", msg)
	}

	// The buyer.
	id := w.createCheckout(w.acme, "wire-browser")
	c, err := w.s.GetCheckout(context.Background(), w.acme.Organization.ID, id)
	storetest.Must(t, err, "checkout")
	pay := c.PaymentURL(w.front)
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(pay), chromedp.Click(chromedp.ID("wire-pay")),
		chromedp.WaitVisible(chromedp.ID("wire-reference"))), "choose bank transfer")
	ref := strings.ReplaceAll(text(t, ctx, "#wire-reference"), " ", "")
	if iban := text(t, ctx, "#iban"); iban != "DE89 3704 0044 0532 0130 00" || !strings.HasPrefix(ref, "RF") {
		t.Fatalf("instructions: %q %q", iban, ref)
	}
	waitFor(t, ctx, `document.querySelector("#epc-qr path").getAttribute("d").length > 500`)

	// The operator records 10.00 on the checkout's page.
	c, _ = w.s.GetCheckout(context.Background(), w.acme.Organization.ID, id)
	tx := c.Transactions[0].ID
	storetest.Must(t, chromedp.Do(ctx,
		chromedp.Navigate(w.admin+"/dashboard/checkouts/"+id),
		chromedp.WaitVisible(chromedp.ID("transfers")),
		js(`window.confirm = () => true`),
		chromedp.SendKeys(chromedp.ID("mp-amount-"+tx), "10.00"),
		chromedp.SendKeys(chromedp.ID("mp-ref-"+tx), "ACME-1"),
		chromedp.Click(chromedp.ID("mp-"+tx)),
		chromedp.WaitVisible(chromedp.CSS("p.alert")),
	), "record money")
	if msg := text(t, ctx, "p.alert"); !strings.Contains(msg, "15.00 is still due") {
		t.Fatalf("after recording: %q", msg)
	}

	// The buyer comes back and sees the balance.
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(pay), chromedp.WaitVisible(chromedp.ID("balance"))), "come back")
	if bal := text(t, ctx, "#balance"); !strings.Contains(bal, "15.00") {
		t.Fatalf("balance %q", bal)
	}

	// The operator uploads the bank's statement with the rest.
	file := filepath.Join(t.TempDir(), "statement.xml")
	storetest.Must(t, os.WriteFile(file, []byte(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">15.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-12-05</Dt></BookgDt>
<AcctSvcrRef>ACME-2</AcctSvcrRef><NtryDtls><TxDtls><RmtInf><Ustrd>Order wire-browser</Ustrd><Ustrd>`+ref[:8]+" "+ref[8:]+`</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>`), 0o600), "statement")
	storetest.Must(t, chromedp.Do(ctx,
		chromedp.Navigate(w.admin+"/dashboard/bank?mode=test"),
		chromedp.WaitVisible(chromedp.ID("statement")),
		chromedp.SetUploadFiles(chromedp.ID("statement"), []string{file}),
		chromedp.Click(chromedp.ID("upload")),
		chromedp.WaitVisible(chromedp.ID("upload-result")),
	), "upload the statement")
	if res := text(t, ctx, "#upload-result"); !strings.Contains(res, "entries read 1, matched 1,") {
		t.Fatalf("upload result %q", res)
	}
	got, _ := w.s.GetCheckout(context.Background(), w.acme.Organization.ID, id)
	if got.Status != checkout.StatusComplete {
		t.Fatalf("checkout %s after the statement", got.Status)
	}
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(pay), chromedp.WaitVisible(chromedp.ID("receipt-title"))), "receipt")
}
