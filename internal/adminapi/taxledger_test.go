package adminapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tax"
	"github.com/pgw/pgw/internal/taxes"
)

// A payment under the tax engine charges the decision's total, freezes it
// with its evidence, and writes ledger rows that refunds bring back to zero
// exactly.
func TestTaxedPaymentAndLedger(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		tok, org := e.a.Token, e.a.Organization.ID
		storetest.Must(t, s.PutTaxConfig(ctx, org, tax.Config{Enabled: true, VIESCheck: tax.VIESFormat,
			Settings: tax.Settings{SellerCountry: "DE", OSSRegistered: true, Rounding: tax.RoundLine}}), "settings")
		quoted := e.do("POST", "/api/v1/checkouts/"+e.a.Site.ID+"/create", tok, `{"amount":10000,"currency":"EUR","externalReference":"q-1",
			"billingAddress":{"country":"FI"},"items":[{"name":"Course","unitPrice":10000,"amountType":"net","itemType":"digital_service"}]}`)
		expect(t, quoted, 200, "")
		if q := e.do("GET", "/api/v1/checkouts/"+quoted.body["id"].(string), tok, ""); q.body["amountTax"] != float64(2550) || q.body["amountTotal"] != float64(12550) {
			t.Fatalf("an unpaid checkout's quote %s", q.raw)
		}
		created := e.do("POST", "/api/v1/checkouts/"+e.a.Site.ID+"/create", tok, `{"amount":13333,"currency":"EUR","externalReference":"tax-1",
			"items":[{"name":"Course","unitPrice":10000,"amountType":"net","itemType":"digital_service"},
			{"name":"Book","unitPrice":3333,"itemType":"goods","taxCategory":"reduced"}]}`)
		expect(t, created, 200, "")
		c, err := s.GetCheckout(ctx, org, created.body["id"].(string))
		storetest.Must(t, err, "checkout")
		pay := payment.New(s, payment.Options{Taxes: taxes.New(s, taxes.Options{})})
		res, err := pay.Pay(ctx, c, payment.Attempt{ProviderID: e.a.Provider.ID, CardNumber: "4242424242424242", ExpMonth: 1, ExpYear: 2035,
			CVC: "123", CardName: "A", Billing: &checkout.Address{Country: "FR"}})
		storetest.Must(t, err, "pay")
		// FR: the net course gets 20 % (2000), the gross book contains 5.5 % (174).
		if res.Outcome != payment.Paid || res.Transaction.Amount != 15333 {
			t.Fatalf("charged %d (%s), want 15333", res.Transaction.Amount, res.Outcome)
		}
		txID := res.Transaction.ID
		got := e.do("GET", "/api/v1/transactions/"+txID+"/tax", tok, "")
		expect(t, got, 200, "")
		if got.body["amountTax"] != float64(2174) || got.body["amountSubtotal"] != float64(13159) || got.body["amountTotal"] != float64(15333) {
			t.Fatalf("frozen decision %s", got.raw)
		}
		if ev := got.body["evidence"].(map[string]any); ev["billingCountry"] != "FR" || ev["vatIdCheck"] != "none" {
			t.Fatalf("evidence %s", got.raw)
		}
		if n := len(got.body["ledger"].([]any)); n != 2 {
			t.Fatalf("ledger rows %s", got.raw)
		}
		expect(t, e.do("GET", "/api/v1/transactions/"+txID+"/tax", e.b.Token, ""), 404, "not_found")
		evs, err := s.EventsFor(ctx, txID)
		storetest.Must(t, err, "events")
		if last := evs[len(evs)-1]; last.Type != "transaction.succeeded" || !strings.Contains(last.Payload, `"amountTax":2174`) ||
			!strings.Contains(last.Payload, `"amountTotal":15333`) {
			t.Fatalf("the succeeded event lacks the tax totals: %s", last.Payload)
		}
		if co := e.do("GET", "/api/v1/checkouts/"+c.ID, tok, ""); co.body["amountTax"] != float64(2174) || co.body["amountSubtotal"] != float64(13159) {
			t.Fatalf("checkout %s", co.raw)
		}
		detail := e.do("GET", "/api/v1/transactions/"+txID, tok, "")
		if detail.body["amountTax"] != float64(2174) || detail.body["amountTotal"] != float64(15333) || len(detail.body["taxBreakdown"].([]any)) != 2 {
			t.Fatalf("transaction %s", detail.raw)
		}

		// The reports agree with the transaction.
		today := time.Now().UTC()
		day := today.Format(time.DateOnly)
		report := e.do("GET", "/api/v1/tax/reports/by-country?startDate="+day+"&endDate="+day+"&currency=eur", tok, "")
		expect(t, report, 200, "")
		if fmt.Sprint(report.body["data"]) != "[map[country:FR currency:EUR gross:12000 rate:20 tax:2000 taxableAmount:10000 treatment:standard] "+
			"map[country:FR currency:EUR gross:3333 rate:5.5 tax:174 taxableAmount:3159 treatment:standard]]" {
			t.Fatalf("by country %s", report.raw)
		}
		q := (int(today.Month())-1)/3 + 1
		oss := e.do("GET", fmt.Sprintf("/api/v1/tax/reports/vat-oss?year=%d&quarter=%d", today.Year(), q), tok, "")
		expect(t, oss, 200, "")
		if len(oss.body["data"].([]any)) != 2 || oss.body["sellerCountry"] != "DE" {
			t.Fatalf("OSS %s", oss.raw)
		}
		csv := e.do("GET", fmt.Sprintf("/api/v1/tax/reports/vat-oss/export?year=%d&quarter=%d", today.Year(), q), tok, "")
		if csv.status != 200 || csv.header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!strings.Contains(string(csv.raw), "FR,20,standard,EUR,10000,2000,12000") {
			t.Fatalf("OSS export %d %s", csv.status, csv.raw)
		}
		expect(t, e.do("GET", "/api/v1/tax/reports/by-country", tok, ""), 422, "validation_error")
		expect(t, e.do("GET", "/api/v1/tax/reports/by-country?startDate=2025-01-01&endDate=2026-06-01", tok, ""), 422, "validation_error")
		expect(t, e.do("GET", "/api/v1/tax/reports/vat-oss?year=2026&quarter=5", tok, ""), 422, "validation_error")
		if other := e.do("GET", "/api/v1/tax/reports/by-country?startDate="+day+"&endDate="+day, e.b.Token, ""); len(other.body["data"].([]any)) != 0 {
			t.Fatalf("another organization's report %s", other.raw)
		}

		// Two refunds: 5000, then the rest. The ledger nets to zero line by line.
		expect(t, e.do("POST", "/api/v1/transactions/"+txID+"/refund", tok, `{"amount":5000}`), 200, "")
		expect(t, e.do("POST", "/api/v1/transactions/"+txID+"/refund", tok, `{"amount":10333}`), 200, "")
		_, rows, err := s.TransactionTaxOf(ctx, txID)
		storetest.Must(t, err, "ledger")
		sums := map[int][3]int64{}
		for _, r := range rows {
			v := sums[r.LineNo]
			sums[r.LineNo] = [3]int64{v[0] + r.Net, v[1] + r.Tax, v[2] + r.Gross}
			if r.Net+r.Tax != r.Gross {
				t.Fatalf("row %+v", r)
			}
		}
		if len(rows) != 6 || sums[0] != [3]int64{} || sums[1] != [3]int64{} {
			t.Fatalf("after refunding everything: %d rows, sums %v", len(rows), sums)
		}
		netted := e.do("GET", "/api/v1/tax/reports/by-country?startDate="+day+"&endDate="+day, tok, "")
		for _, r := range netted.body["data"].([]any) {
			if r := r.(map[string]any); r["tax"] != float64(0) || r["taxableAmount"] != float64(0) {
				t.Fatalf("refunds not netted: %s", netted.raw)
			}
		}

		// Without the engine a payment is charged as the checkout says and freezes nothing.
		storetest.Must(t, s.PutTaxConfig(ctx, org, tax.Config{Settings: tax.Settings{SellerCountry: "DE"}}), "disable")
		txOff := e.paid(tok, e.a.Site.ID, "tax-off", "")
		expect(t, e.do("GET", "/api/v1/transactions/"+txOff+"/tax", tok, ""), 404, "no_tax_decision")
	})
}
