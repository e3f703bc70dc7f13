package dashboard_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tenant"
)

// upload sends a statement file as the bank page's form does.
func (c *client) upload(path, name, doc string) response {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(doc)) //nolint:errcheck // a buffer
	mw.Close()            //nolint:errcheck // a buffer
	req, _ := http.NewRequest("POST", c.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", c.base)
	return c.do(req)
}

func TestBankTransfersDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		ctx := context.Background()
		admin := w.signIn("admin")
		site := "/dashboard/sites/" + w.acme.Site.ID
		form := url.Values{"account_holder": {"Acme GmbH"}, "bank_name": {"Commerzbank"}, "iban": {"DE88 3704 0044 0532 0130 00"},
			"bic": {"COBADEFF"}, "window_days": {"10"}, "mode": {"test"}}
		if r := admin.post(site+"/providers/wire", form); r.status != 422 || !strings.Contains(r.body, "check digits") {
			t.Fatalf("a mistyped IBAN: %d %s", r.status, r.body)
		}
		form.Set("iban", "DE89 3704 0044 0532 0130 00")
		if r := admin.post(site+"/providers/wire", form); r.status != http.StatusSeeOther {
			t.Fatalf("add wire: %d %s", r.status, r.body)
		}
		if r := admin.get(site); !strings.Contains(r.body, "IBAN DE89 3704 0044 0532 0130 00") || !strings.Contains(r.body, "10 days") {
			t.Fatalf("sites page lacks the account: %s", r.body)
		}
		// Viewers may not add accounts.
		if r := w.signIn("viewer").post(site+"/providers/wire", form); r.status != http.StatusForbidden {
			t.Fatalf("viewer adds an account: %d", r.status)
		}
		ps, _ := s.ListProviders(ctx, w.acme.Organization.ID, w.acme.Site.ID)
		var wireID string
		for _, p := range ps {
			if p.Type == tenant.ProviderWire {
				wireID = p.ID
			}
		}
		id := w.createCheckout(w.acme, "wire-dash")
		c, err := s.GetCheckout(ctx, w.acme.Organization.ID, id)
		storetest.Must(t, err, "checkout")
		tr, err := payment.New(s).StartBankTransfer(ctx, c, wireID, "k", "192.0.2.1", payment.TaxBuyer{})
		storetest.Must(t, err, "start")

		// The checkout page shows the transfer; an editor records part of the money.
		page := "/dashboard/checkouts/" + id
		if r := admin.get(page); !strings.Contains(r.body, `id="transfers"`) || !strings.Contains(r.body, tr.Transfer.Reference[:4]) {
			t.Fatalf("checkout page lacks the transfer: %s", r.body)
		}
		editor := w.signIn("editor")
		mark := "/dashboard/transactions/" + tr.Transaction.ID + "/mark-paid"
		if r := editor.post(mark, url.Values{"amount": {"abc"}}); r.status != http.StatusSeeOther {
			t.Fatalf("bad amount: %d", r.status)
		}
		if r := editor.get(page); !strings.Contains(r.body, "positive number of EUR") {
			t.Fatalf("no message for a bad amount: %s", r.body)
		}
		editor.post(mark, url.Values{"amount": {"10.00"}, "bank_reference": {"ACME-1"}})
		if r := editor.get(page); !strings.Contains(r.body, "15.00 is still due") {
			t.Fatalf("after 10.00: %s", r.body)
		}
		// The rest from a statement uploaded on the bank page.
		doc := `<?xml version="1.0"?><Document><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">15.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-05</Dt></BookgDt><AcctSvcrRef>ACME-2</AcctSvcrRef>
<NtryDtls><TxDtls><RmtInf><Ustrd>` + tr.Transfer.Reference + `</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">3.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-05</Dt></BookgDt><AcctSvcrRef>ACME-3</AcctSvcrRef>
<NtryDtls><TxDtls><RmtInf><Ustrd>Zinsen</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>`
		r := editor.upload("/dashboard/bank/statements?mode=test", "dec.xml", doc)
		if r.status != 200 || !strings.Contains(r.body, "entries read 2, matched 1, already applied 0, unmatched 1") {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		if got, _ := s.GetCheckout(ctx, w.acme.Organization.ID, id); got.Status != checkout.StatusComplete {
			t.Fatalf("checkout %s after the statement", got.Status)
		}
		if r := editor.upload("/dashboard/bank/statements?mode=test", "bad.xml", "<Document>"); r.status != http.StatusSeeOther {
			t.Fatalf("bad file: %d", r.status)
		}
		// The unmatched credit is dismissed with a note; the live page does not list it.
		rs, _ := s.ListReceipts(ctx, store.ReceiptFilter{OrganizationID: w.acme.Organization.ID, Mode: checkout.ModeTest, Status: store.ReceiptUnmatched})
		if len(rs) != 1 {
			t.Fatalf("unmatched: %v", rs)
		}
		if r := editor.get("/dashboard/bank?mode=live"); strings.Contains(r.body, "Zinsen") {
			t.Fatal("the live page lists a test credit")
		}
		if r := editor.get("/dashboard/bank?mode=test"); !strings.Contains(r.body, "Zinsen") {
			t.Fatalf("the test page lacks the credit: %s", r.body)
		}
		editor.post("/dashboard/bank/receipts/"+rs[0].ID+"/dismiss?mode=test", url.Values{"note": {"interest"}})
		if r := editor.get("/dashboard/bank?mode=test"); strings.Contains(r.body, "Zinsen") || !strings.Contains(r.body, "Dismissed.") {
			t.Fatalf("after dismissing: %s", r.body)
		}
		// Another organization cannot record money on Acme's transfer.
		if r := w.signIn("other").post(mark, url.Values{"amount": {"1.00"}}); r.status != http.StatusNotFound {
			t.Fatalf("other organization: %d", r.status)
		}
	})
}
