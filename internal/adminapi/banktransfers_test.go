package adminapi_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/bank"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// wireTransfer creates a wire provider and a checkout through the API and
// starts a bank transfer on it as the hosted page does.
func (e *env) wireTransfer(providerID string) *payment.Transfer {
	e.t.Helper()
	r := e.do("POST", "/api/v1/checkouts/"+e.a.Site.ID+"/create", e.a.Token, `{"amount":4900,"currency":"EUR","externalReference":"o-1"}`)
	expect(e.t, r, 200, "")
	c, err := e.s.GetCheckout(ctx, e.a.Organization.ID, r.body["id"].(string))
	storetest.Must(e.t, err, "checkout")
	tr, err := payment.New(e.s).StartBankTransfer(ctx, c, providerID, "k", "192.0.2.9", payment.TaxBuyer{})
	storetest.Must(e.t, err, "start")
	return tr
}

func TestBankTransferAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		providers := "/api/v1/sites/" + e.a.Site.ID + "/providers"
		// The provider: IBAN and BIC checked, defaults filled.
		for _, tc := range []struct{ config, field string }{
			{`{"accountHolder":"Shop","bankName":"Bank","iban":"DE88370400440532013000","bic":"COBADEFF"}`, "config.iban"},
			{`{"accountHolder":"Shop","bankName":"Bank","iban":"DE89370400440532013000","bic":"COBADE"}`, "config.bic"},
			{`{"bankName":"Bank","iban":"DE89370400440532013000","bic":"COBADEFF"}`, "config.accountHolder"},
			{`{"accountHolder":"Shop","bankName":"Bank","iban":"DE89370400440532013000","bic":"COBADEFF","paymentWindowDays":400}`, "config.paymentWindowDays"},
		} {
			r := e.do("POST", providers, e.a.Token, `{"type":"wire","config":`+tc.config+`}`)
			if expect(t, r, 422, "validation_error"); r.body["field"] != tc.field {
				t.Errorf("config %s refused at %v; want %s", tc.config, r.body["field"], tc.field)
			}
		}
		r := e.do("POST", providers, e.a.Token, `{"type":"wire","config":{"accountHolder":"Beispiel Shop GmbH","bankName":"Commerzbank","iban":"de89 3704 0044 0532 0130 00","bic":"cobadeffxxx"}}`)
		expect(t, r, 201, "")
		cfg := r.body["config"].(map[string]any)
		if r.body["mode"] != "test" || cfg["iban"] != "DE89370400440532013000" || cfg["paymentWindowDays"] != "14" || cfg["currencies"] != "EUR" {
			t.Fatalf("provider %s", r.raw)
		}
		wireID := r.body["id"].(string)

		tr := e.wireTransfer(wireID)
		txPath := "/api/v1/transactions/" + tr.Transaction.ID
		r = e.do("GET", txPath, e.a.Token, "")
		expect(t, r, 200, "")
		bt := r.body["bankTransfer"].(map[string]any)
		if r.body["status"] != "pending_provider" || r.body["statusCode"] != float64(0) || bt["reference"] != tr.Transfer.Reference || bt["amountDue"] != float64(4900) {
			t.Fatalf("transaction %s", r.raw)
		}

		// mark-paid: refused input writes nothing; a replay counts once.
		for body, field := range map[string]string{
			`{"amount":10000000000001}`:                          "amount",
			`{"amount":0}`:                                       "amount",
			`{"amount":12.5}`:                                    "amount",
			`{"amount":100,"currency":"EURO"}`:                   "currency",
			`{"amount":100,"receivedAt":"yesterday"}`:            "receivedAt",
			`{"amount":100,"receivedAt":"2999-01-01T00:00:00Z"}`: "receivedAt",
			`{"amount":100,"bankReference":"a\nb"}`:              "bankReference",
		} {
			r := e.do("POST", txPath+"/mark-paid", e.a.Token, body)
			if expect(t, r, 422, "validation_error"); r.body["field"] != field {
				t.Errorf("%s refused at %v; want %s", body, r.body["field"], field)
			}
		}
		expect(t, e.do("POST", txPath+"/mark-paid", e.a.Token, `{"amount":100,"currency":"USD"}`), 422, "currency_mismatch")
		part := `{"amount":2000,"receivedAt":"2026-12-04T09:00:00Z","bankReference":"2026120400011234","note":"first half"}`
		first := e.do("POST", txPath+"/mark-paid", e.a.Token, part, "Idempotency-Key", "mp-1")
		expect(t, first, 200, "")
		again := e.do("POST", txPath+"/mark-paid", e.a.Token, part, "Idempotency-Key", "mp-1")
		if !bytes.Equal(first.raw, again.raw) || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay differs:\n%s\n%s", first.raw, again.raw)
		}
		bt = first.body["transaction"].(map[string]any)["bankTransfer"].(map[string]any)
		if first.body["result"] != "partially_paid" || bt["amountReceived"] != float64(2000) || bt["amountDue"] != float64(2900) {
			t.Fatalf("partial %s", first.raw)
		}
		// The same bank entry without the key: recognised, not counted.
		r = e.do("POST", txPath+"/mark-paid", e.a.Token, part)
		if expect(t, r, 200, ""); r.body["result"] != "already_applied" {
			t.Fatalf("same entry again %s", r.raw)
		}
		// Another organization's key does not find it; a key without the scope may not.
		expect(t, e.do("POST", txPath+"/mark-paid", e.b.Token, `{"amount":1}`), 404, "not_found")

		// A statement: the same entry (already applied), the rest by reference, and noise.
		b, err := os.ReadFile("../statement/testdata/camt053-sparkasse.xml")
		storetest.Must(t, err, "statement")
		doc := strings.NewReplacer("RF18539007547034", tr.Transfer.Reference, "<Amt Ccy=\"EUR\">49.00</Amt>", "<Amt Ccy=\"EUR\">20.00</Amt>").Replace(string(b))
		// The first entry is the one marked paid by hand (same bank reference, 20.00).
		up := e.upload(doc, "dec.xml")
		expect(t, up, 200, "")
		if up.body["format"] != "camt.053" || up.body["entriesRead"] != float64(5) || up.body["alreadyApplied"] != float64(1) ||
			up.body["matched"] != float64(0) || up.body["unmatched"] != float64(4) {
			t.Fatalf("upload %s", up.raw)
		}
		// Raw body, a CSV without a profile: refused with a clear code.
		expect(t, e.do("POST", "/api/v1/bank-statements", e.a.Token, "Datum;Betrag\n"), 422, "csv_profile_missing")
		expect(t, e.do("PUT", "/api/v1/bank-statements/csv-profile", e.a.Token, `{"delimiter":"x"}`), 422, "validation_error")
		expect(t, e.do("PUT", "/api/v1/bank-statements/csv-profile", e.a.Token,
			`{"delimiter":";","hasHeader":true,"dateFormat":"DD.MM.YYYY","decimalComma":true,"dateColumn":"Datum","amountColumn":"Betrag","referenceColumn":"Zweck","defaultCurrency":"eur","entryIdColumn":"Ref"}`), 200, "")
		r = e.do("GET", "/api/v1/bank-statements/csv-profile", e.a.Token, "")
		if expect(t, r, 200, ""); r.body["defaultCurrency"] != "EUR" {
			t.Fatalf("profile %s", r.raw)
		}
		expect(t, e.do("POST", "/api/v1/bank-statements", e.a.Token, "Datum;Zweck\n01.12.2026;x\n"), 422, "statement_columns")
		expect(t, e.do("POST", "/api/v1/bank-statements", e.a.Token, "Datum;Zweck;Betrag;Ref\n01.12.2026;x;zwölf;R\n"), 422, "statement_entry")
		expect(t, e.do("POST", "/api/v1/bank-statements", e.a.Token, "<Document><oops"), 422, "statement_format")
		csv := "Datum;Zweck;Betrag;Ref\n05.12.2026;Rest " + bank.Grouped(tr.Transfer.Reference) + " danke;29,00;C-1\n"
		r = e.do("POST", "/api/v1/bank-statements?filename=dec.csv", e.a.Token, csv, "Content-Type", "text/csv")
		if expect(t, r, 200, ""); r.body["matched"] != float64(1) || r.body["entries"].([]any)[0].(map[string]any)["result"] != "paid" {
			t.Fatalf("csv upload %s", r.raw)
		}
		r = e.do("GET", txPath, e.a.Token, "")
		if r.body["status"] != "succeeded" || r.body["statusCode"] != float64(1) || len(r.body["bankTransfer"].(map[string]any)["receipts"].([]any)) != 2 {
			t.Fatalf("after the statement %s", r.raw)
		}
		// Too large a statement is refused before anything is read.
		expect(t, e.do("POST", "/api/v1/bank-statements", e.a.Token, strings.Repeat("x", 8<<20+1)), 413, "payload_too_large")

		// Unmatched credits: listed, assigned or dismissed once.
		r = e.do("GET", "/api/v1/bank-receipts?status=unmatched", e.a.Token, "")
		expect(t, r, 200, "")
		list := r.body["data"].([]any)
		if len(list) != 4 {
			t.Fatalf("unmatched %s", r.raw)
		}
		expect(t, e.do("GET", "/api/v1/bank-receipts?status=bogus", e.a.Token, ""), 400, "invalid_request")
		expect(t, e.do("GET", "/api/v1/bank-receipts?limit=501", e.a.Token, ""), 400, "invalid_request")
		u0 := list[0].(map[string]any)["id"].(string)
		u1 := list[1].(map[string]any)["id"].(string)
		expect(t, e.do("POST", "/api/v1/bank-receipts/"+u0+"/dismiss", e.a.Token, `{"note":""}`), 422, "validation_error")
		expect(t, e.do("POST", "/api/v1/bank-receipts/"+u0+"/dismiss", e.a.Token, `{"note":"bank interest"}`), 200, "")
		expect(t, e.do("POST", "/api/v1/bank-receipts/"+u0+"/dismiss", e.a.Token, `{"note":"again"}`), 409, "receipt_not_unmatched")
		expect(t, e.do("POST", "/api/v1/bank-receipts/"+u1+"/dismiss", e.b.Token, `{"note":"x"}`), 404, "not_found")
		expect(t, e.do("POST", "/api/v1/bank-receipts/"+u1+"/assign", e.a.Token, `{"transactionId":"txn_nope"}`), 422, "validation_error")
		r = e.do("POST", "/api/v1/bank-receipts/"+u1+"/assign", e.a.Token, `{"transactionId":"`+tr.Transaction.ID+`","note":"same buyer"}`)
		if expect(t, r, 200, ""); r.body["result"] != "overpaid" {
			t.Fatalf("assign %s", r.raw)
		}
		// Overpaid: listed for attention until the operator settles it.
		r = e.do("GET", "/api/v1/bank-transfers/attention", e.a.Token, "")
		if expect(t, r, 200, ""); len(r.body["data"].([]any)) != 1 {
			t.Fatalf("attention %s", r.raw)
		}
		expect(t, e.do("POST", txPath+"/excess", e.a.Token, `{"resolution":"lost"}`), 422, "validation_error")
		r = e.do("POST", txPath+"/excess", e.a.Token, `{"resolution":"kept","note":"credit for the next order"}`)
		if expect(t, r, 200, ""); r.body["excessResolution"] != "kept" {
			t.Fatalf("excess %s", r.raw)
		}
		r = e.do("GET", "/api/v1/bank-statements", e.a.Token, "")
		if expect(t, r, 200, ""); len(r.body["data"].([]any)) != 2 {
			t.Fatalf("statements %s", r.raw)
		}
	})
}

// upload sends a statement as a multipart form, as a browser would.
func (e *env) upload(doc, name string) response {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	storetest.Must(e.t, err, "form")
	fw.Write([]byte(doc)) //nolint:errcheck // a buffer
	mw.Close()            //nolint:errcheck // a buffer
	req, err := http.NewRequest("POST", e.url+"/api/v1/bank-statements", &body)
	storetest.Must(e.t, err, "request")
	req.Header.Set("Authorization", "Bearer "+e.a.Token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := e.client.Do(req)
	storetest.Must(e.t, err, "upload")
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body) //nolint:errcheck // read what came
	r := response{status: resp.StatusCode, header: resp.Header, raw: buf.Bytes()}
	json.Unmarshal(r.raw, &r.body) //nolint:errcheck // checked by the caller
	return r
}
