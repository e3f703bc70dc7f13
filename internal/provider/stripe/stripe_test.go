package stripe

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/provider/stripe/stripetest"
)

func TestConfigMode(t *testing.T) {
	for _, tt := range []struct {
		cfg  Config
		mode checkout.Mode
		ok   bool
	}{
		{Config{"sk_test_abc", "pk_test_abc", "whsec_x"}, checkout.ModeTest, true},
		{Config{"rk_live_abc", "pk_live_abc", "whsec_x"}, checkout.ModeLive, true},
		{Config{"sk_live_abc", "pk_test_abc", "whsec_x"}, "", false},
		{Config{"pk_test_abc", "pk_test_abc", "whsec_x"}, "", false},
		{Config{"sk_test_abc", "pk_test_abc", "secret"}, "", false},
	} {
		m, err := tt.cfg.Mode()
		if (err == nil) != tt.ok || m != tt.mode {
			t.Errorf("%+v: %s %v", tt.cfg, m, err)
		}
	}
	masked := Config{"sk_test_51Habcdefghijklmnop1234", "pk_test_x", "whsec_abcdefghijklmn5678"}.Masked()
	if masked["secretKey"] != "sk_test_…1234" || masked["webhookSecret"] != "whsec_…5678" || strings.Contains(masked["secretKey"], "abcdef") {
		t.Fatalf("masked %v", masked)
	}
	// Underscores inside the secret part do not widen the mask.
	for in, want := range map[string]string{
		"sk_live_abc_def_ghij_klmn_1234": "sk_live_…1234", "rk_live_51H_x_yyyyyyyyyyy9876": "rk_live_…9876",
		"whsec_a_b_c_d_e_f_g_h_4321": "whsec_…4321", "short_key": "…", "no-prefix-at-all-here-0000": "…0000",
	} {
		if got := mask(in); got != want {
			t.Errorf("mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClientAgainstStripeMock(t *testing.T) {
	mock := stripetest.Start(t)
	c := New(Config{SecretKey: "sk_test_123"}, mock.URL, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	pi, err := c.CreatePaymentIntent(ctx, "txn_1", "co_1", "site_1", 7376, "JPY")
	if err != nil || pi.ID == "" || !strings.Contains(pi.ClientSecret, "_secret_") {
		t.Fatalf("create: %+v %v", pi, err)
	}
	if _, err := c.CreatePaymentIntent(ctx, "txn_1", "co_1", "site_1", 7376, "JPY"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PaymentIntent(ctx, pi.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.CancelPaymentIntent(ctx, pi.ID, "txn_1"); err != nil {
		t.Fatal(err)
	}
	ref, err := c.Refund(ctx, pi.ID, 100, "rf_1")
	if err != nil || ref == "" {
		t.Fatalf("refund: %s %v", ref, err)
	}
	reqs := mock.Requests()
	if len(reqs) != 5 {
		t.Fatalf("%d requests", len(reqs))
	}
	create := reqs[0]
	if create.Path != "/v1/payment_intents" || create.Form.Get("amount") != "7376" || create.Form.Get("currency") != "jpy" ||
		create.Form.Get("metadata[pgw_transaction_id]") != "txn_1" || create.Form.Get("automatic_payment_methods[enabled]") != "true" {
		t.Fatalf("create request %+v", create)
	}
	// A retried create sends the same idempotency key: Stripe answers it
	// with the first PaymentIntent.
	if create.IdempotencyKey != "pgw-pi-txn_1" || reqs[1].IdempotencyKey != create.IdempotencyKey {
		t.Fatalf("idempotency keys %q %q", create.IdempotencyKey, reqs[1].IdempotencyKey)
	}
	if reqs[3].IdempotencyKey != "pgw-cancel-txn_1" || reqs[4].IdempotencyKey != "pgw-refund-rf_1" ||
		reqs[4].Form.Get("amount") != "100" || reqs[4].Form.Get("payment_intent") != pi.ID {
		t.Fatalf("cancel/refund %+v %+v", reqs[3], reqs[4])
	}
	// Errors come back as errors (stripe-mock checks shapes and keys, not amounts).
	bad := New(Config{SecretKey: "not-a-key"}, mock.URL, slog.New(slog.DiscardHandler))
	if _, err := bad.CreatePaymentIntent(ctx, "txn_2", "co", "s", 100, "EUR"); err == nil {
		t.Fatal("a bad key was accepted")
	}
}

func TestVerifyEvent(t *testing.T) {
	payload := []byte(`{"id":"evt_1","object":"event","api_version":"2099-01-01.future","type":"payment_intent.payment_failed",
		"data":{"object":{"id":"pi_1","object":"payment_intent","last_payment_error":{"message":"Your card was declined."}}}}`)
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: "whsec_a"})
	ev, err := VerifyEvent(payload, signed.Header, "whsec_a")
	if err != nil || ev.ID != "evt_1" || ev.PaymentIntent != "pi_1" || ev.FailureMessage != "Your card was declined." {
		t.Fatalf("event %+v %v", ev, err)
	}
	if _, err := VerifyEvent(payload, signed.Header, "whsec_b"); err == nil {
		t.Fatal("wrong secret accepted")
	}
	if _, err := VerifyEvent(append(payload, ' '), signed.Header, "whsec_a"); err == nil {
		t.Fatal("altered body accepted")
	}
	old := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: "whsec_a", Timestamp: time.Now().Add(-6 * time.Minute)})
	if _, err := VerifyEvent(payload, old.Header, "whsec_a"); err == nil {
		t.Fatal("replay older than the tolerance accepted")
	}
	refund := []byte(`{"id":"evt_2","object":"event","type":"charge.refunded","data":{"object":{"id":"ch_1","object":"charge","amount_refunded":250,"payment_intent":"pi_9"}}}`)
	signed = webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: refund, Secret: "whsec_a"})
	if ev, err := VerifyEvent(refund, signed.Header, "whsec_a"); err != nil || ev.AmountRefunded != 250 || ev.PaymentIntent != "pi_9" {
		t.Fatalf("refund event %+v %v", ev, err)
	}
}
