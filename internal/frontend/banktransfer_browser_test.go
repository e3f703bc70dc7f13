package frontend_test

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pgw/pgw/internal/browsertest"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/store/storetest"
)

// api sends an Admin API request with the shop's key and returns the body.
func (sh *shop) api(method, path, body string, want int, headers ...string) string {
	sh.t.Helper()
	req, _ := http.NewRequest(method, sh.admin+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+sh.r.Token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	storetest.Must(sh.t, err, "%s %s", method, path)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		sh.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	return string(raw)
}

func (sh *shop) addWire() {
	sh.api("POST", "/api/v1/sites/"+sh.r.Site.ID+"/providers", `{"type":"wire","config":{"accountHolder":"Browser Shop GmbH",
		"bankName":"Commerzbank","iban":"DE89370400440532013000","bic":"COBADEFFXXX","instructions":"Orders ship once the money is in."}}`, 201)
}

func TestBrowserBankTransfer(t *testing.T) {
	ctx := browser(t)
	sh := newShop(t)
	sh.addWire()
	co := sh.create(`{"amount":4900,"currency":"EUR","externalReference":"wire-1",
		"items":[{"name":"Tea","quantity":2,"unitPrice":2450}]}`)
	pay := co["paymentUrl"].(string)

	// The buyer picks bank transfer and sees the instructions and the QR code.
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(pay), chromedp.WaitVisible(chromedp.ID("card-form")),
		chromedp.Click(chromedp.ID("wire-pay")), chromedp.WaitVisible(chromedp.ID("wire-reference"))), "choose bank transfer")
	texts := map[string]string{}
	for _, id := range []string{"holder", "iban", "bic", "wire-amount", "wire-reference", "due", "instructions"} {
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		storetest.Must(t, err, "read %s", id)
		texts[id] = v
	}
	if texts["iban"] != "DE89 3704 0044 0532 0130 00" || texts["bic"] != "COBADEFFXXX" || texts["holder"] != "Browser Shop GmbH" ||
		!strings.Contains(texts["wire-amount"], "49.00") || !regexp.MustCompile(`^RF\d\d( [0-9A-Z]{1,4})+$`).MatchString(texts["wire-reference"]) ||
		!strings.Contains(texts["instructions"], "ship") {
		t.Fatalf("instructions %v", texts)
	}
	qrOK, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.getElementById("epc-qr");
		const p = s && s.querySelector("path"); const b = s && s.getBoundingClientRect();
		return !!p && p.getAttribute("d").length > 500 && b.width >= 150 && b.height >= 150 })()`))
	storetest.Must(t, err, "QR")
	if !qrOK {
		t.Fatal("no EPC QR code drawn on the page")
	}
	// No card form while the transfer is under way.
	cards, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#card-form, #wire-form").length`))
	if storetest.Must(t, err, "forms"); cards != 0 {
		t.Fatalf("%d payment forms beside the instructions", cards)
	}
	ref := strings.ReplaceAll(texts["wire-reference"], " ", "")
	got, err := sh.s.GetCheckout(context.Background(), sh.r.Organization.ID, co["id"].(string))
	storetest.Must(t, err, "checkout")
	tx := got.Transactions[0]
	if tx.Status != checkout.TxPendingProvider || tx.ProviderRef != ref {
		t.Fatalf("transaction %+v", tx)
	}

	// 20.00 arrives; the buyer comes back and sees the balance.
	sh.api("POST", "/api/v1/transactions/"+tx.ID+"/mark-paid", `{"amount":2000,"bankReference":"E-1"}`, 200, "Idempotency-Key", "e-1")
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(pay), chromedp.WaitVisible(chromedp.ID("balance"))), "come back")
	received, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("received")))
	storetest.Must(t, err, "received")
	if !strings.Contains(received, "20.00") || !strings.Contains(received, "29.00") {
		t.Fatalf("received line %q", received)
	}
	browsertest.Screens(t, ctx, cmp.Or(os.Getenv("PGW_SCREENSHOTS"), t.TempDir()), "bank-transfer")
	if again, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("wire-reference"))); strings.ReplaceAll(again, " ", "") != ref {
		t.Fatalf("the reference changed: %q", again)
	}

	// The operator's statement brings the rest: the checkout completes.
	doc := `<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">29.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-05</Dt></BookgDt>
<AcctSvcrRef>E-2</AcctSvcrRef><NtryDtls><TxDtls><RmtInf><Ustrd>Rest ` + strings.ToLower(texts["wire-reference"]) + `</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>`
	if out := sh.api("POST", "/api/v1/bank-statements", doc, 200); !strings.Contains(out, `"matched":1`) {
		t.Fatalf("statement %s", out)
	}
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(pay), chromedp.WaitVisible(chromedp.ID("receipt-title"))), "receipt")
	paidBy, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("paid-transfer")))
	storetest.Must(t, err, "paid by")
	if strings.ReplaceAll(strings.TrimPrefix(paidBy, "Reference "), " ", "") != ref {
		t.Fatalf("receipt says %q", paidBy)
	}
}

// postForm sends a hosted page's form as a same-origin browser would.
func (sh *shop) postForm(path string, form url.Values) (int, string) {
	sh.t.Helper()
	req, _ := http.NewRequest("POST", sh.front+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	storetest.Must(sh.t, err, "POST %s", path)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

func TestBankTransferFormRefusals(t *testing.T) {
	sh := newShop(t)
	co := sh.create(`{"amount":4900,"currency":"EUR","externalReference":"wire-2"}`)
	code := co["paymentUrl"].(string)[strings.LastIndex(co["paymentUrl"].(string), "/")+1:]
	path := "/checkout/" + code + "/bank-transfer"
	// No bank transfer account yet: the method is not offered, a forged form is refused.
	if st, body := sh.postForm(path, url.Values{"provider": {sh.r.Provider.ID}, "attempt": {"a1"}}); st != 422 || !strings.Contains(body, "not available") {
		t.Fatalf("no wire method: %d", st)
	}
	sh.addWire()
	ps, _ := sh.s.ListProviders(context.Background(), sh.r.Organization.ID, sh.r.Site.ID)
	var wireID string
	for _, p := range ps {
		if p.Type == "wire" {
			wireID = p.ID
		}
	}
	if st, _ := sh.postForm(path, url.Values{"provider": {wireID}, "attempt": {"a1"}}); st != http.StatusSeeOther {
		t.Fatalf("start: %d", st)
	}
	// The same form again finds the same transfer.
	if st, _ := sh.postForm(path, url.Values{"provider": {wireID}, "attempt": {"a2"}}); st != http.StatusSeeOther {
		t.Fatalf("again: %d", st)
	}
	c, _ := sh.s.GetCheckout(context.Background(), sh.r.Organization.ID, co["id"].(string))
	if len(c.Transactions) != 1 {
		t.Fatalf("%d attempts after two submissions", len(c.Transactions))
	}
	// Canceled (by the merchant's integration), then the old form replayed: refused, not a 500.
	storetest.Must(t, sh.s.CancelTransaction(context.Background(), c, c.Transactions[0].ID), "cancel")
	if st, body := sh.postForm(path, url.Values{"provider": {wireID}, "attempt": {"a1"}}); st != http.StatusConflict || !strings.Contains(body, "sent before") {
		t.Fatalf("replayed form: %d", st)
	}
	// A form from another site is refused.
	req, _ := http.NewRequest("POST", sh.front+path, strings.NewReader("provider="+wireID+"&attempt=a9"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	storetest.Must(t, err, "cross-site")
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site form: %d", resp.StatusCode)
	}
}
