package outbox_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/outbox"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

var ctx = context.Background()

// hit is one request a receiver got.
type hit struct {
	header http.Header
	body   []byte
	at     time.Time
}

// receiver is a merchant endpoint on loopback. behave decides each answer
// from the number of requests so far (1 for the first).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	hits   []hit
	behave func(n int, w http.ResponseWriter)
}

func newReceiver(t *testing.T, behave func(n int, w http.ResponseWriter)) *receiver {
	rc := &receiver{behave: behave}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.hits = append(rc.hits, hit{header: r.Header.Clone(), body: body, at: time.Now()})
		n := len(rc.hits)
		rc.mu.Unlock()
		rc.behave(n, w)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func ok200(_ int, w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }

func (rc *receiver) got() []hit {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hit(nil), rc.hits...)
}

// verify checks a request the way the README tells merchants to, with its own
// HMAC rather than the package under test.
func verify(t *testing.T, h hit, secret, header string) {
	t.Helper()
	ts := h.header.Get("X-Signature-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > 300*time.Second {
		t.Fatalf("timestamp %q", ts)
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + string(h.body)))
	if want := hex.EncodeToString(m.Sum(nil)); !hmac.Equal([]byte(want), []byte(h.header.Get(header))) {
		t.Fatalf("%s does not verify for %s", header, h.body)
	}
}

func config() outbox.Config {
	return outbox.Config{PollInterval: 10 * time.Millisecond, Lease: 3 * time.Second, Concurrency: 8, MaxAge: time.Minute,
		RetryBase: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond, AttemptTimeout: time.Second, AllowPrivate: true}
}

// startWorker runs a worker until the test ends.
func startWorker(t *testing.T, s *store.Store, cfg outbox.Config) {
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		outbox.New(s, cfg, slog.New(slog.DiscardHandler)).Run(wctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type fixture struct {
	s   *store.Store
	f   storetest.Fixture
	pay *payment.Service
}

func setup(t *testing.T, s *store.Store) fixture {
	return fixture{s: s, f: storetest.Seed(t, s, "shop"), pay: payment.New(s)}
}

func (fx fixture) checkout(t *testing.T, ipn, ref string) *checkout.Checkout {
	t.Helper()
	c, err := checkout.Build(&checkout.CreateRequest{Amount: "4900", Currency: "EUR", ExternalReference: checkout.Text(ref), IPNURL: ipn},
		checkout.Settings{OrganizationID: fx.f.OrgID, SiteID: fx.f.SiteID, Mode: checkout.ModeTest, Source: checkout.SourceAPI,
			DefaultExpiry: time.Hour, MaxAmount: 1e9}, store.TimeNow())
	storetest.Must(t, err, "build")
	storetest.Must(t, fx.s.CreateCheckout(ctx, c, nil), "create")
	return c
}

func (fx fixture) pay1(t *testing.T, c *checkout.Checkout, number string) *payment.Result {
	t.Helper()
	r, err := fx.pay.Pay(ctx, c, payment.Attempt{ProviderID: fx.f.ProviderID, CardNumber: number, ExpMonth: 12, ExpYear: 2034, CVC: "123", CardName: "A"})
	storetest.Must(t, err, "pay")
	return r
}

func (fx fixture) secret(t *testing.T) string {
	site, err := fx.s.GetSite(ctx, fx.f.OrgID, fx.f.SiteID)
	storetest.Must(t, err, "site")
	return site.WebhookSecret
}

func (fx fixture) deliveries(t *testing.T, status string) []*store.Delivery {
	ds, _, err := fx.s.ListDeliveries(ctx, store.DeliveryFilter{OrganizationID: fx.f.OrgID, Status: status, Page: 1, Limit: 100})
	storetest.Must(t, err, "list deliveries")
	return ds
}

func ipnOf(t *testing.T, h hit) notify.IPN {
	var v notify.IPN
	storetest.Must(t, json.Unmarshal(h.body, &v), "IPN body %s", h.body)
	return v
}

func TestIPNOrderSupersedeAndSignature(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fx := setup(t, s)
		rc := newReceiver(t, ok200)
		c := fx.checkout(t, rc.URL+"/ipn?wc-api=x", "1042")
		failed := fx.pay1(t, c, "4000000000000002")
		paid := fx.pay1(t, c, "4242424242424242")
		startWorker(t, s, config())
		waitFor(t, "two IPNs", func() bool { return len(rc.got()) >= 2 })
		time.Sleep(100 * time.Millisecond)
		hits := rc.got()
		if len(hits) != 2 {
			t.Fatalf("%d IPNs arrived", len(hits))
		}
		// The failed attempt's status arrives before the payment's; the
		// initiated statuses were superseded before delivery.
		first, second := ipnOf(t, hits[0]), ipnOf(t, hits[1])
		if first != (notify.IPN{ID: failed.Transaction.ID, ExternalReference: "1042", Status: 2}) ||
			second != (notify.IPN{ID: paid.Transaction.ID, ExternalReference: "1042", Status: 1}) {
			t.Fatalf("IPNs %s then %s", hits[0].body, hits[1].body)
		}
		if string(hits[1].body) != `{"id":"`+paid.Transaction.ID+`","externalReference":"1042","status":1}` {
			t.Fatalf("body %s", hits[1].body)
		}
		for _, h := range hits {
			verify(t, h, fx.secret(t), "X-Signature-HMAC-SHA256")
			if h.header.Get("Content-Type") != "application/json" || h.header.Get("X-Event-ID") == "" {
				t.Fatalf("headers %v", h.header)
			}
		}
		if sup := fx.deliveries(t, notify.Superseded); len(sup) != 2 {
			t.Fatalf("%d superseded deliveries, want the two initiated ones", len(sup))
		}
		if del := fx.deliveries(t, notify.Delivered); len(del) != 2 || len(del[0].AttemptLog) != 1 || del[0].AttemptLog[0].HTTPStatus != 200 {
			t.Fatalf("delivered %+v", del)
		}
	})
}

func TestRetriesFlakyAndNon200(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fx := setup(t, s)
		flaky := newReceiver(t, func(n int, w http.ResponseWriter) {
			if n <= 2 {
				http.Error(w, "try later", http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusOK)
		})
		noContent := newReceiver(t, func(_ int, w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) })
		redirect := newReceiver(t, func(_ int, w http.ResponseWriter) {
			w.Header().Set("Location", flaky.URL+"/elsewhere")
			w.WriteHeader(http.StatusFound)
		})
		fx.pay1(t, fx.checkout(t, flaky.URL, "flaky"), "4242424242424242")
		fx.pay1(t, fx.checkout(t, noContent.URL, "204"), "4242424242424242")
		fx.pay1(t, fx.checkout(t, redirect.URL, "302"), "4242424242424242")
		cfg := config()
		cfg.MaxAge = 600 * time.Millisecond
		startWorker(t, s, cfg)
		waitFor(t, "the flaky receiver's third attempt", func() bool { return len(flaky.got()) >= 3 })
		waitFor(t, "the 204 and 302 deliveries to fail", func() bool { return len(fx.deliveries(t, notify.Failed)) == 2 })

		hits := flaky.got()
		for _, h := range hits {
			verify(t, h, fx.secret(t), "X-Signature-HMAC-SHA256")
			if !strings.HasPrefix(string(h.body), `{"id":"txn_`) {
				t.Fatalf("flaky receiver got %s", h.body)
			}
		}
		if hits[2].header.Get("X-Delivery-Attempt") != "3" || string(hits[0].body) != string(hits[2].body) ||
			hits[0].header.Get("X-Event-ID") != hits[2].header.Get("X-Event-ID") {
			t.Fatalf("retries differ: %v / %v", hits[0].header, hits[2].header)
		}
		if len(noContent.got()) < 2 {
			t.Fatalf("204 was not retried: %d attempts", len(noContent.got()))
		}
		for _, h := range flaky.got() {
			if strings.Contains(string(h.body), "elsewhere") {
				t.Fatal("redirect followed")
			}
		}
		for _, d := range fx.deliveries(t, notify.Failed) {
			if d.Attempts < 2 || len(d.AttemptLog) != d.Attempts || (d.LastStatus != 204 && d.LastStatus != 302) {
				t.Fatalf("failed delivery %+v", d)
			}
		}
		del := fx.deliveries(t, notify.Delivered)
		if len(del) != 1 || del[0].Attempts != 3 || del[0].AttemptLog[0].HTTPStatus != 503 || !strings.Contains(del[0].AttemptLog[0].Response, "try later") {
			t.Fatalf("delivered %+v", del)
		}
	})
}

func TestHangingReceiverDoesNotStallOthers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fx := setup(t, s)
		release := make(chan struct{})
		hang := newReceiver(t, func(_ int, w http.ResponseWriter) {
			select {
			case <-release:
			case <-time.After(5 * time.Second):
			}
		})
		t.Cleanup(func() { close(release) }) // before the receiver closes, which waits for its handlers
		fine := newReceiver(t, ok200)
		for i := range 3 {
			fx.pay1(t, fx.checkout(t, hang.URL, fmt.Sprint("hang-", i)), "4242424242424242")
		}
		fx.pay1(t, fx.checkout(t, fine.URL, "fine"), "4242424242424242")
		cfg := config()
		cfg.AttemptTimeout = 300 * time.Millisecond
		startWorker(t, s, cfg)
		waitFor(t, "the healthy receiver", func() bool { return len(fine.got()) == 1 })
		waitFor(t, "timeouts to be logged", func() bool {
			for _, d := range fx.deliveries(t, notify.Pending) {
				if len(d.AttemptLog) > 0 && strings.Contains(d.AttemptLog[0].Error, "timeout") {
					return true
				}
			}
			return false
		})
	})
}

func TestPrivateTargetsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fx := setup(t, s)
		rc := newReceiver(t, ok200)
		fx.pay1(t, fx.checkout(t, rc.URL, "private"), "4242424242424242")
		cfg := config()
		cfg.AllowPrivate = false
		startWorker(t, s, cfg)
		waitFor(t, "a refused attempt", func() bool {
			for _, d := range fx.deliveries(t, notify.Pending) {
				if len(d.AttemptLog) > 0 {
					if e := d.AttemptLog[0].Error; e != "target address not allowed" {
						t.Fatalf("the merchant is shown %q", e)
					}
					return true
				}
			}
			return false
		})
		if n := len(rc.got()); n != 0 {
			t.Fatalf("private receiver got %d requests", n)
		}
	})
}

// Two workers share the queue and never send the same delivery twice; a
// worker that dies holding claims loses nothing once its lease runs out.
func TestTwoWorkersAndAbandonedClaims(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fx := setup(t, s)
		rc := newReceiver(t, ok200)
		const n = 30
		for i := range n {
			fx.pay1(t, fx.checkout(t, rc.URL, fmt.Sprint("burst-", i)), "4242424242424242")
		}
		// A worker claims some deliveries and dies without sending them.
		dead, err := s.ClaimDeliveries(ctx, "dead-worker", 5, 500*time.Millisecond)
		storetest.Must(t, err, "claim")
		if len(dead) == 0 {
			t.Fatal("nothing to claim")
		}
		cfg := config()
		startWorker(t, s, cfg)
		startWorker(t, s, cfg)
		waitFor(t, "every payment's IPN", func() bool {
			seen := map[string]bool{}
			for _, h := range rc.got() {
				if ipnOf(t, h).Status == 1 {
					seen[ipnOf(t, h).ID] = true
				}
			}
			return len(seen) == n
		})
		time.Sleep(200 * time.Millisecond)
		perEvent := map[string]int{}
		for _, h := range rc.got() {
			perEvent[h.header.Get("X-Event-ID")]++
			verify(t, h, fx.secret(t), "X-Signature-HMAC-SHA256")
		}
		for ev, count := range perEvent {
			if count != 1 {
				t.Fatalf("event %s delivered %d times", ev, count)
			}
		}
		if pending := fx.deliveries(t, notify.Pending); len(pending) != 0 {
			t.Fatalf("%d deliveries still pending", len(pending))
		}
	})
}

func TestWebhookEventsRotationAndRedelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fx := setup(t, s)
		rc := newReceiver(t, ok200)
		storetest.Must(t, s.CreateWebhookEndpoint(ctx, &store.WebhookEndpoint{ID: "we_1", OrganizationID: fx.f.OrgID, SiteID: fx.f.SiteID,
			URL: rc.URL + "/events", Events: "checkout.completed transaction.succeeded", Enabled: true, CreatedAt: store.TimeNow()}), "endpoint")
		oldSecret := fx.secret(t)
		rot, err := s.RotateWebhookSecret(ctx, fx.f.OrgID, fx.f.SiteID, time.Hour)
		storetest.Must(t, err, "rotate")
		c := fx.checkout(t, "", "evt-1")
		paid := fx.pay1(t, c, "4242424242424242")
		startWorker(t, s, config())
		waitFor(t, "two events", func() bool { return len(rc.got()) == 2 })
		types := map[string]notify.Event{}
		for _, h := range rc.got() {
			verify(t, h, rot.Secret, "X-Signature-HMAC-SHA256")
			verify(t, h, oldSecret, "X-Signature-HMAC-SHA256-Previous")
			var ev notify.Event
			storetest.Must(t, json.Unmarshal(h.body, &ev), "event")
			if ev.ID != h.header.Get("X-Event-ID") || ev.Created.IsZero() {
				t.Fatalf("event %s", h.body)
			}
			types[ev.Type] = ev
		}
		var obj struct {
			Object struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"object"`
		}
		json.Unmarshal(types["transaction.succeeded"].Data, &obj) //nolint:errcheck // checked below
		if obj.Object.ID != paid.Transaction.ID || obj.Object.Status != "succeeded" || types["checkout.completed"].ID == "" {
			t.Fatalf("events %v", types)
		}
		// Redelivery sends the same event again. The receiver has both events
		// a moment before the worker records them as delivered.
		waitFor(t, "both recorded", func() bool { return len(fx.deliveries(t, notify.Delivered)) == 2 })
		d := fx.deliveries(t, notify.Delivered)[0]
		_, err = s.Redeliver(ctx, fx.f.OrgID, d.ID, time.Hour)
		storetest.Must(t, err, "redeliver")
		waitFor(t, "the redelivery", func() bool { return len(rc.got()) == 3 })
		if rc.got()[2].header.Get("X-Event-ID") != d.EventID {
			t.Fatal("redelivery has another event id")
		}
		if _, err := s.Redeliver(ctx, "org_other", d.ID, time.Hour); err == nil {
			t.Fatal("another organization redelivered")
		}
	})
}
