package adminapi_test

import (
	"testing"

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

		// Without the engine a payment is charged as the checkout says and freezes nothing.
		storetest.Must(t, s.PutTaxConfig(ctx, org, tax.Config{Settings: tax.Settings{SellerCountry: "DE"}}), "disable")
		txOff := e.paid(tok, e.a.Site.ID, "tax-off", "")
		expect(t, e.do("GET", "/api/v1/transactions/"+txOff+"/tax", tok, ""), 404, "no_tax_decision")
	})
}
