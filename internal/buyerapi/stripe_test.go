package buyerapi_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

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

const hookSecret = "whsec_test_endpoint_secret"

type stripeEnv struct {
	*env
	mock     *stripetest.Mock
	admin    string
	provider *tenant.Provider
}

// newStripeEnv runs main-backend and admin-backend against stripe-mock with a
// Stripe provider on the site.
func newStripeEnv(t *testing.T, s *store.Store) *stripeEnv {
	mock := stripetest.Start(t)
	cfg := &config.Config{}
	cfg.URLs.MainFrontend = frontend
	cfg.Checkout.SweepInterval = time.Hour
	cfg.Checkout.MaxAmount = 1e12
	cfg.Stripe.APIBase = mock.URL
	cfg.Notify.MaxAge = time.Hour
	rt := httptest.NewServer(app.Runtime(cfg, s, slog.New(slog.DiscardHandler)).Handler)
	t.Cleanup(rt.Close)
	adm := httptest.NewServer(app.Admin(cfg, s, slog.New(slog.DiscardHandler)).Handler)
	t.Cleanup(adm.Close)
	r, err := store.Bootstrap(ctx, s, store.BootstrapInput{Org: "O", Site: "Shop"})
	storetest.Must(t, err, "bootstrap")
	p := &tenant.Provider{ID: ids.New("prov"), OrganizationID: r.Organization.ID, SiteID: r.Site.ID, Type: tenant.ProviderStripe,
		Name: "Card", Enabled: true, CreatedAt: store.TimeNow(),
		Config: stripe.Config{SecretKey: "sk_test_123", PublishableKey: "pk_test_123", WebhookSecret: hookSecret}.JSON()}
	storetest.Must(t, s.CreateProvider(ctx, p), "provider")
	return &stripeEnv{env: &env{t: t, s: s, url: rt.URL, r: r}, mock: mock, admin: adm.URL, provider: p}
}

// start starts a Stripe payment and gives its PaymentIntent a unique id, as
// Stripe does (stripe-mock answers every create with the same fixture id).
func (e *stripeEnv) start(c *checkout.Checkout, attempt string) (txID, pi string) {
	e.t.Helper()
	body := fmt.Sprintf(`{"sessionPublicId":%q,"providerId":%q,"attemptKey":%q}`, c.SessionPublicID, e.provider.ID, attempt)
	status, _, m, raw := e.do("POST", "/api/v1/transactions/create", body, "Origin", frontend)
	if status != 200 || !strings.Contains(fmt.Sprint(m["clientSecret"]), "_secret_") || m["publishableKey"] != "pk_test_123" || m["status"].(float64) != -1 {
		e.t.Fatalf("start: %d %s", status, raw)
	}
	txID = m["transactionId"].(string)
	pi = "pi_" + ids.Token(14)
	_, err := e.s.Bun().NewUpdate().Table("transactions").Set("provider_ref = ?", pi).Where("id = ?", txID).Exec(ctx)
	storetest.Must(e.t, err, "unique PaymentIntent id")
	return txID, pi
}

// hook sends a Stripe event signed with stripe-go's test helper.
func (e *stripeEnv) hook(providerID, evID, typ, object string, at time.Time, secret string) int {
	e.t.Helper()
	payload := []byte(fmt.Sprintf(`{"id":%q,"object":"event","api_version":"2026-03-25.dahlia","type":%q,"data":{"object":%s}}`, evID, typ, object))
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at})
	req, _ := http.NewRequest("POST", e.url+"/hooks/stripe/"+providerID, strings.NewReader(string(payload)))
	req.Header.Set("Stripe-Signature", signed.Header)
	resp, err := http.DefaultClient.Do(req)
	storetest.Must(e.t, err, "hook")
	resp.Body.Close()
	return resp.StatusCode
}

func piObject(pi string) string {
	return fmt.Sprintf(`{"id":%q,"object":"payment_intent","last_payment_error":{"message":"Your card was declined."}}`, pi)
}

func (e *stripeEnv) events(id string) []string {
	evs, err := e.s.EventsFor(ctx, id)
	storetest.Must(e.t, err, "events")
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Type)
	}
	return out
}

func TestStripePaymentAndWebhooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newStripeEnv(t, s)
		c := e.checkout(`{"amount":4900,"currency":"EUR","externalReference":"st-1","ipnUrl":"https://shop.example/ipn"}`, checkout.ModeTest)
		txID, pi := e.start(c, "a1")
		reqs := e.mock.Requests()
		if len(reqs) != 1 || reqs[0].IdempotencyKey != "pgw-pi-"+txID || reqs[0].Form.Get("amount") != "4900" ||
			reqs[0].Form.Get("currency") != "eur" || reqs[0].Form.Get("metadata[pgw_checkout_id]") != c.ID {
			t.Fatalf("PaymentIntent request %+v", reqs)
		}
		// A retried start reuses the attempt and its idempotency key.
		body := fmt.Sprintf(`{"sessionPublicId":%q,"providerId":%q,"attemptKey":"a1"}`, c.SessionPublicID, e.provider.ID)
		if status, _, m, _ := e.do("POST", "/api/v1/transactions/create", body); status != 200 || m["transactionId"] != txID {
			t.Fatalf("retry: %d %v", status, m)
		}
		if reqs = e.mock.Requests(); reqs[len(reqs)-1].IdempotencyKey != "pgw-pi-"+txID {
			t.Fatal("retry used another idempotency key")
		}

		now := time.Now()
		if st := e.hook(e.provider.ID, "evt_bad", "payment_intent.succeeded", piObject(pi), now, "whsec_wrong"); st != 400 {
			t.Fatalf("bad signature: %d", st)
		}
		if st := e.hook(e.provider.ID, "evt_old", "payment_intent.succeeded", piObject(pi), now.Add(-10*time.Minute), hookSecret); st != 400 {
			t.Fatalf("replay older than the tolerance: %d", st)
		}
		if st := e.hook(e.provider.ID, "evt_other", "payment_intent.succeeded", piObject("pi_notours"), now, hookSecret); st != 400 {
			t.Fatalf("another provider's PaymentIntent: %d", st)
		}
		if st := e.hook("prov_missing", "evt_x", "payment_intent.succeeded", piObject(pi), now, hookSecret); st != 404 {
			t.Fatalf("unknown provider: %d", st)
		}
		if got, _ := s.GetTransactionUnscoped(ctx, txID); got.Status != checkout.TxInitiated {
			t.Fatalf("refused hooks changed the transaction: %s", got.Status)
		}
		if st := e.hook(e.provider.ID, "evt_ok", "payment_intent.succeeded", piObject(pi), now, hookSecret); st != 200 {
			t.Fatalf("success: %d", st)
		}
		// A duplicate and a late failure change nothing.
		if st := e.hook(e.provider.ID, "evt_ok", "payment_intent.succeeded", piObject(pi), now, hookSecret); st != 200 {
			t.Fatalf("duplicate: %d", st)
		}
		if st := e.hook(e.provider.ID, "evt_late_fail", "payment_intent.payment_failed", piObject(pi), now, hookSecret); st != 200 {
			t.Fatalf("late failure: %d", st)
		}
		if st := e.hook(e.provider.ID, "evt_unrelated", "customer.created", `{"id":"cus_1","object":"customer"}`, now, hookSecret); st != 200 {
			t.Fatalf("unrelated event: %d", st)
		}
		got, _ := s.GetCheckout(ctx, e.r.Organization.ID, c.ID)
		tx, _ := s.GetTransactionUnscoped(ctx, txID)
		if got.Status != checkout.StatusComplete || tx.Status != checkout.TxSucceeded || tx.Flag != "" {
			t.Fatalf("after success: checkout %s, transaction %s %q", got.Status, tx.Status, tx.Flag)
		}
		if ev := e.events(c.ID); fmt.Sprint(ev) != "[checkout.completed]" {
			t.Fatalf("checkout events %v", ev)
		}
		if ev := e.events(txID); fmt.Sprint(ev) != "[transaction.initiated transaction.succeeded]" {
			t.Fatalf("transaction events %v", ev)
		}

		// Refunds through the Admin API: partial, too much, the rest.
		refund := func(body string) (int, map[string]any) {
			req, _ := http.NewRequest("POST", e.admin+"/api/v1/transactions/"+txID+"/refund", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+e.r.Token)
			resp, err := http.DefaultClient.Do(req)
			storetest.Must(t, err, "refund")
			defer resp.Body.Close()
			var m map[string]any
			json.NewDecoder(resp.Body).Decode(&m) //nolint:errcheck // checked by the caller
			return resp.StatusCode, m
		}
		if st, m := refund(`{"amount":1000}`); st != 200 || m["transaction"].(map[string]any)["refundedAmount"].(float64) != 1000 {
			t.Fatalf("partial refund: %d %v", st, m)
		}
		last := e.mock.Requests()[len(e.mock.Requests())-1]
		if last.Path != "/v1/refunds" || last.Form.Get("amount") != "1000" || last.Form.Get("payment_intent") != pi || !strings.HasPrefix(last.IdempotencyKey, "pgw-refund-rf_") {
			t.Fatalf("refund request %+v", last)
		}
		if st, m := refund(`{"amount":3901}`); st != 422 || m["code"] != "refund_exceeds_captured" {
			t.Fatalf("over-refund: %d %v", st, m)
		}
		if st, m := refund(``); st != 200 || m["transaction"].(map[string]any)["statusName"] != nil && m["transaction"].(map[string]any)["status"] != "refunded" {
			t.Fatalf("refund of the rest: %d %v", st, m)
		}
		tx, _ = s.GetTransactionUnscoped(ctx, txID)
		if tx.Status != checkout.TxRefunded || tx.RefundedAmount != 4900 {
			t.Fatalf("after refunds: %s %d", tx.Status, tx.RefundedAmount)
		}
		if st, m := refund(`{"amount":1}`); st != 409 || m["code"] != "not_refundable" {
			t.Fatalf("refund of a refunded transaction: %d %v", st, m)
		}
		// Stripe's own charge.refunded report of the same refunds adds nothing.
		charge := fmt.Sprintf(`{"id":"ch_1","object":"charge","amount_refunded":4900,"payment_intent":%q}`, pi)
		if st := e.hook(e.provider.ID, "evt_refunded", "charge.refunded", charge, now, hookSecret); st != 200 {
			t.Fatalf("charge.refunded: %d", st)
		}
		if tx, _ = s.GetTransactionUnscoped(ctx, txID); tx.RefundedAmount != 4900 {
			t.Fatalf("refunded amount %d", tx.RefundedAmount)
		}
	})
}

func TestStripeLateSuccessAfterExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newStripeEnv(t, s)
		c := e.checkout(`{"amount":2500,"currency":"EUR","externalReference":"late","ipnUrl":"https://shop.example/ipn"}`, checkout.ModeTest)
		txID, pi := e.start(c, "a1")
		// The merchant expires the checkout: its PaymentIntent is canceled.
		req, _ := http.NewRequest("POST", e.admin+"/api/v1/checkouts/"+c.ID+"/expire", nil)
		req.Header.Set("Authorization", "Bearer "+e.r.Token)
		resp, err := http.DefaultClient.Do(req)
		storetest.Must(t, err, "expire")
		resp.Body.Close()
		last := e.mock.Requests()[len(e.mock.Requests())-1]
		if !strings.HasSuffix(last.Path, "/cancel") || last.IdempotencyKey != "pgw-cancel-"+txID {
			t.Fatalf("cancel request %+v", last)
		}
		// Money that still arrives is recorded and flagged, never lost.
		if st := e.hook(e.provider.ID, "evt_late", "payment_intent.succeeded", piObject(pi), time.Now(), hookSecret); st != 200 {
			t.Fatalf("late success: %d", st)
		}
		got, _ := s.GetCheckout(ctx, e.r.Organization.ID, c.ID)
		tx, _ := s.GetTransactionUnscoped(ctx, txID)
		if got.Status != checkout.StatusExpired || tx.Status != checkout.TxSucceeded || tx.Flag != checkout.FlagPaidAfterClose {
			t.Fatalf("checkout %s, transaction %s flag %q", got.Status, tx.Status, tx.Flag)
		}
		if ev := e.events(txID); fmt.Sprint(ev) != "[transaction.initiated transaction.cancelled transaction.succeeded transaction.paid_after_close]" {
			t.Fatalf("transaction events %v", ev)
		}
	})
}

// A storm of duplicated, reordered, concurrent webhooks for many payments
// leaves every checkout in one consistent state with one event per change.
func TestStripeWebhookStorm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newStripeEnv(t, s)
		type payment struct {
			c      *checkout.Checkout
			tx, pi string
		}
		var ps []payment
		for i := range 12 {
			c := e.checkout(fmt.Sprintf(`{"amount":%d,"currency":"EUR","externalReference":"storm-%d"}`, 100+i, i), checkout.ModeTest)
			tx, pi := e.start(c, "a")
			ps = append(ps, payment{c, tx, pi})
		}
		type hookCall struct{ id, typ, pi string }
		var calls []hookCall
		for i, p := range ps {
			calls = append(calls, hookCall{"evt_fail_" + p.tx, "payment_intent.payment_failed", p.pi})
			calls = append(calls, hookCall{"evt_ok_" + p.tx, "payment_intent.succeeded", p.pi})
			if i%3 == 0 {
				calls = append(calls, hookCall{"evt_cancel_" + p.tx, "payment_intent.canceled", p.pi})
			}
		}
		var storm []hookCall
		for range 3 {
			storm = append(storm, calls...)
		}
		rand.Shuffle(len(storm), func(i, j int) { storm[i], storm[j] = storm[j], storm[i] })
		var wg sync.WaitGroup
		work := make(chan hookCall)
		for range 8 {
			wg.Go(func() {
				for c := range work {
					if st := e.hook(e.provider.ID, c.id, c.typ, piObject(c.pi), time.Now(), hookSecret); st != 200 {
						t.Errorf("%s: %d", c.typ, st)
					}
				}
			})
		}
		for _, c := range storm {
			work <- c
		}
		close(work)
		wg.Wait()
		for _, p := range ps {
			got, _ := s.GetCheckout(ctx, e.r.Organization.ID, p.c.ID)
			tx, _ := s.GetTransactionUnscoped(ctx, p.tx)
			cev, tev := e.events(p.c.ID), e.events(p.tx)
			// Whatever the order, the success wins (a PaymentIntent may succeed
			// after a failed try; a success is never dropped), the checkout is
			// complete, and each change wrote one event.
			if tx.Status != checkout.TxSucceeded || got.Status != checkout.StatusComplete || tx.Flag != "" ||
				fmt.Sprint(cev) != "[checkout.completed]" || count(tev, "transaction.succeeded") != 1 {
				t.Fatalf("%s: transaction %s, checkout %s, events %v / %v, flag %q", p.tx, tx.Status, got.Status, cev, tev, tx.Flag)
			}
			for _, typ := range []string{"transaction.failed", "transaction.succeeded", "transaction.cancelled"} {
				if count(tev, typ) > 1 {
					t.Fatalf("%s: %s written %d times", p.tx, typ, count(tev, typ))
				}
			}
		}
	})
}

func count(xs []string, x string) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

func TestStripeDisputes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newStripeEnv(t, s)
		c := e.checkout(`{"amount":700,"currency":"EUR","externalReference":"dispute"}`, checkout.ModeTest)
		txID, pi := e.start(c, "a1")
		now := time.Now()
		dispute := func(status string) string {
			return fmt.Sprintf(`{"id":"dp_1","object":"dispute","status":%q,"payment_intent":%q}`, status, pi)
		}
		steps := []struct {
			id, typ, object string
			want            checkout.TxStatus
		}{
			{"evt_1", "payment_intent.succeeded", piObject(pi), checkout.TxSucceeded},
			{"evt_2", "charge.dispute.created", dispute("needs_response"), checkout.TxChargeback},
			{"evt_2", "charge.dispute.created", dispute("needs_response"), checkout.TxChargeback}, // duplicate
			{"evt_3", "charge.dispute.closed", dispute("won"), checkout.TxSucceeded},
		}
		for _, st := range steps {
			if code := e.hook(e.provider.ID, st.id, st.typ, st.object, now, hookSecret); code != 200 {
				t.Fatalf("%s: %d", st.typ, code)
			}
			if tx, _ := s.GetTransactionUnscoped(ctx, txID); tx.Status != st.want {
				t.Fatalf("after %s: %s, want %s", st.typ, tx.Status, st.want)
			}
		}
		// The payment's own events are its status changes; the dispute's
		// are its own, one per change (the duplicate changed nothing).
		if ev := e.events(txID); fmt.Sprint(ev) != "[transaction.initiated transaction.succeeded]" {
			t.Fatalf("events %v", ev)
		}
		ds, err := s.ListDisputes(ctx, c.OrganizationID, txID)
		if err != nil || len(ds) != 1 || ds[0].ProviderDisputeID != "dp_1" || ds[0].Status != "won" || ds[0].Amount != 700 || ds[0].ClosedAt.IsZero() {
			t.Fatalf("disputes %+v, %v", ds, err)
		}
		if ev := e.events(ds[0].ID); fmt.Sprint(ev) != "[dispute.created dispute.closed]" {
			t.Fatalf("dispute events %v", ev)
		}
	})
}
