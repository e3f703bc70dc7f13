package buyerapi_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tax"
)

// A Stripe payment under the tax engine: the intent is for the taxed total,
// the ledger is written when Stripe says it succeeded, and a refund made in
// Stripe's own dashboard takes its exact share out of the ledger.
func TestStripeTaxedPaymentAndOutsideRefund(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newStripeEnv(t, s)
		storetest.Must(t, s.PutTaxConfig(ctx, e.r.Organization.ID, tax.Config{Enabled: true, VIESCheck: tax.VIESFormat,
			Settings: tax.Settings{SellerCountry: "DE", OSSRegistered: true, Rounding: tax.RoundLine}}), "settings")
		c := e.checkout(`{"amount":10000,"currency":"EUR","externalReference":"st-tax","billingAddress":{"country":"FR"},
			"items":[{"name":"Course","unitPrice":10000,"amountType":"net","itemType":"digital_service"}]}`, checkout.ModeTest)
		txID, pi := e.start(c, "t1")
		if reqs := e.mock.Requests(); reqs[len(reqs)-1].Form.Get("amount") != "12000" {
			t.Fatalf("intent amount %s, want the taxed 12000", reqs[len(reqs)-1].Form.Get("amount"))
		}
		now := time.Now()
		if st := e.hook(e.provider.ID, "evt_paid", "payment_intent.succeeded", piObject(pi), now, hookSecret); st != 200 {
			t.Fatalf("succeeded: %d", st)
		}
		charge := fmt.Sprintf(`{"id":"ch_1","object":"charge","amount_refunded":3000,"payment_intent":%q}`, pi)
		if st := e.hook(e.provider.ID, "evt_refunded", "charge.refunded", charge, now, hookSecret); st != 200 {
			t.Fatalf("charge.refunded: %d", st)
		}
		_, rows, err := s.TransactionTaxOf(ctx, txID)
		storetest.Must(t, err, "ledger")
		var gross, taxes int64
		for _, r := range rows {
			gross, taxes = gross+r.Gross, taxes+r.Tax
		}
		if len(rows) != 2 || gross != 9000 || taxes != 1500 {
			t.Fatalf("ledger after a 30.00 refund in Stripe: %d rows, gross %d, tax %d", len(rows), gross, taxes)
		}
	})
}
