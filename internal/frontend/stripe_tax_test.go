package frontend_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tax"
)

// Under the tax engine a card payment by Stripe is for the total of the
// country the buyer chose: one PaymentIntent per country, reused on reload.
func TestStripeIntentFollowsTheCountry(t *testing.T) {
	st, _ := stripeSite(t)
	ctx := context.Background()
	storetest.Must(t, st.s.PutTaxConfig(ctx, st.r.Organization.ID, tax.Config{Enabled: true, VIESCheck: tax.VIESFormat,
		Settings: tax.Settings{SellerCountry: "DE", OSSRegistered: true, Rounding: tax.RoundLine}}), "settings")
	c := st.checkout(checkout.ModeTest, `{"amount":10000,"currency":"EUR","externalReference":"st-1",
		"items":[{"name":"Course","unitPrice":10000,"amountType":"net","itemType":"digital_service"}]}`)
	if _, body := st.get("/checkout/" + c.ShortCode); !strings.Contains(body, "Choose your country above") || strings.Contains(body, "payment-element") {
		t.Fatal("a card payment starts before the country is known")
	}
	for _, q := range []string{"?country=FR", "?country=FR", "?country=DE", "?country=FR&vat_id=FR123"} {
		if resp, body := st.get("/checkout/" + c.ShortCode + q); resp.StatusCode != 200 || !strings.Contains(body, "payment-element") {
			t.Fatalf("%s: %d", q, resp.StatusCode)
		}
	}
	got, err := st.s.GetCheckout(ctx, st.r.Organization.ID, c.ID)
	storetest.Must(t, err, "checkout")
	var amounts []int
	for _, tx := range got.Transactions {
		amounts = append(amounts, int(tx.Amount))
	}
	sort.Ints(amounts)
	// FR 20 % (once, reused), DE 19 %, and FR with an unconfirmed VAT ID (a
	// consumer again, but other details: its own intent).
	if len(amounts) != 3 || amounts[0] != 11900 || amounts[1] != 12000 || amounts[2] != 12000 {
		t.Fatalf("intents for %v", amounts)
	}
}

// Cycling through countries cannot open PaymentIntents without end.
func TestStripePageIntentsBounded(t *testing.T) {
	st, _ := stripeSite(t)
	ctx := context.Background()
	storetest.Must(t, st.s.PutTaxConfig(ctx, st.r.Organization.ID, tax.Config{Enabled: true, VIESCheck: tax.VIESFormat,
		Settings: tax.Settings{SellerCountry: "DE", OSSRegistered: true, Rounding: tax.RoundLine}}), "settings")
	c := st.checkout(checkout.ModeTest, `{"amount":10000,"currency":"EUR","externalReference":"st-2",
		"items":[{"name":"Course","unitPrice":10000,"amountType":"net","itemType":"digital_service"}]}`)
	for _, country := range []string{"FR", "DE", "AT", "BE", "NL", "IT", "ES", "PT", "IE", "FI", "SE", "DK", "PL"} {
		st.get("/checkout/" + c.ShortCode + "?country=" + country)
	}
	got, err := st.s.GetCheckout(ctx, st.r.Organization.ID, c.ID)
	storetest.Must(t, err, "checkout")
	if len(got.Transactions) != 10 {
		t.Fatalf("%d intents opened, want at most 10", len(got.Transactions))
	}
	if _, body := st.get("/checkout/" + c.ShortCode + "?country=LU"); !strings.Contains(body, "Card payments are unavailable") {
		t.Fatal("past the bound the page does not say card payments are unavailable")
	}
}
