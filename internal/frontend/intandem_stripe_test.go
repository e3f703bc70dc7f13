package frontend_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/adapter/intandem"
	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/provider/stripe"
	"github.com/pgw/pgw/internal/provider/stripe/stripetest"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tenant"
)

// With a Stripe provider the iframe mounts Stripe's element, and a charge
// confirms the PaymentMethod the element created.
func TestIntandemChargeWithStripe(t *testing.T) {
	mock := stripetest.Start(t)
	s := storetest.Open(t, store.SQLite)
	tn := newTandem(t, s, "https://app.vcita.com")
	cfg := &config.Config{}
	cfg.Stripe.APIBase = mock.URL
	cfg.Notify.AllowPrivateTargets = true
	srv := httptest.NewServer(app.Frontend(cfg, s, slog.New(slog.DiscardHandler)).Handler)
	t.Cleanup(srv.Close)
	tn.srv = srv
	storetest.Must(t, s.CreateProvider(context.Background(), &tenant.Provider{ID: ids.New("prov"), OrganizationID: tn.r.Organization.ID,
		SiteID: tn.r.Site.ID, Type: tenant.ProviderStripe, Name: "Card", Enabled: true, CreatedAt: store.TimeNow(),
		Config: stripe.Config{SecretKey: "sk_test_1", PublishableKey: "pk_test_1", WebhookSecret: "whsec_1"}.JSON()}), "stripe provider")

	resp, body := tn.get("/intandem/charge?pivot_id=" + bizUID)
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(body, `id="payment-element"`) || !strings.Contains(body, `data-publishable-key="pk_test_1"`) ||
		!strings.Contains(body, `src="https://js.stripe.com/v3"`) || !strings.Contains(csp, "script-src 'self' 'nonce-") ||
		!strings.Contains(csp, "https://js.stripe.com") || !strings.Contains(csp, "frame-ancestors https://app.vcita.com; frame-src https://js.stripe.com https://hooks.stripe.com") {
		t.Fatalf("Stripe iframe: %s\n%s", csp, body)
	}
	if status, m := tn.postJSON("/intandem/token", `{"pivot_id":"`+bizUID+`","amount":25,"currency":"USD","payment_method":"card-1"}`); status != 422 {
		t.Fatalf("not a PaymentMethod: %d %v", status, m)
	}
	status, m := tn.postJSON("/intandem/token", `{"pivot_id":"`+bizUID+`","amount":25,"currency":"USD","payment_method":"pm_card_visa"}`)
	if status != 200 {
		t.Fatalf("token: %d %v", status, m)
	}
	tn.charge(m["token"].(string), "25", "ps-stripe")
	var create *stripetest.Request
	for _, r := range mock.Requests() {
		if r.Path == "/v1/payment_intents" {
			create = &r
		}
	}
	if create == nil || create.Form.Get("payment_method") != "pm_card_visa" || create.Form.Get("confirm") != "true" ||
		create.Form.Get("amount") != "2500" || !strings.HasPrefix(create.IdempotencyKey, "pgw-pi-txn_") {
		t.Fatalf("PaymentIntent request %+v", create)
	}
	c, err := s.FindCheckoutBySourceRef(context.Background(), tn.r.Site.ID, checkout.SourceIntandem, intandem.ChargeRef(bizUID, "ps-stripe"))
	storetest.Must(t, err, "charge checkout")
	full, _ := s.GetCheckout(context.Background(), tn.r.Organization.ID, c.ID)
	if len(full.Transactions) != 1 || full.Transactions[0].ProviderRef == "" || full.Transactions[0].ProviderID == tn.r.Provider.ID {
		t.Fatalf("charge transaction %+v", full.Transactions)
	}
}
