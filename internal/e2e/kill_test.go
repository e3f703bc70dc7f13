package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// ipnReceiver is a merchant's IPN v2 endpoint written from the README: it
// verifies every signature and remembers what arrived.
type ipnReceiver struct {
	secret  string
	started atomic.Int64 // requests that reached the handler
	mu      sync.Mutex
	got     map[string][]string // transaction id -> delivery ids of status-1 IPNs
	// bodies are the bodies that arrived under each delivery id.
	bodies map[string][]string
	bad    int
}

func (rc *ipnReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.started.Add(1)
	body, _ := io.ReadAll(r.Body)
	ts := r.Header.Get("X-Signature-Timestamp")
	m := hmac.New(sha256.New, []byte(rc.secret))
	m.Write([]byte(ts + "." + string(body)))
	time.Sleep(300 * time.Millisecond) // a slow shop keeps deliveries in flight
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !hmac.Equal([]byte(hex.EncodeToString(m.Sum(nil))), []byte(r.Header.Get("X-Signature-HMAC-SHA256"))) {
		rc.bad++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var ipn struct {
		ID         string `json:"id"`
		Status     int    `json:"status"`
		DeliveryID string `json:"deliveryId"`
	}
	json.Unmarshal(body, &ipn) //nolint:errcheck // a bad body is counted below as missing
	if ipn.DeliveryID == "" || r.Header.Get("X-IPN-Delivery-ID") != ipn.DeliveryID || r.Header.Get("X-IPN-Version") != "2" {
		rc.bad++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	rc.bodies[ipn.DeliveryID] = append(rc.bodies[ipn.DeliveryID], string(body))
	if ipn.Status == 1 {
		rc.got[ipn.ID] = append(rc.got[ipn.ID], ipn.DeliveryID)
	}
	w.WriteHeader(http.StatusOK)
}

func TestKillMainBackendMidBurst(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			admin, runtime := freeAddr(t), freeAddr(t)
			env := append(baseEnv(storetest.URL(t, d)), "PGW_ADMIN_BACKEND_ADDR="+admin, "PGW_MAIN_BACKEND_ADDR="+runtime,
				"PGW_NOTIFY_ALLOW_PRIVATE_TARGETS=true", "PGW_NOTIFY_POLL_INTERVAL=20ms", "PGW_NOTIFY_LEASE=2s",
				"PGW_NOTIFY_ATTEMPT_TIMEOUT=1s", "PGW_NOTIFY_RETRY_BASE=50ms", "PGW_NOTIFY_RETRY_MAX=200ms",
				// Every buyer of this burst pays from one address.
				"PGW_LIMITS_ATTEMPTS_PER_CLIENT=0")
			if _, stderr, code := run(t, env, "pgw", "migrate"); code != 0 {
				t.Fatalf("migrate: %s", stderr)
			}
			out, stderr, code := run(t, env, "pgw", "bootstrap", "--org", "K", "--site", "K", "--json")
			if code != 0 {
				t.Fatalf("bootstrap: %s", stderr)
			}
			var boot map[string]string
			storetest.Must(t, json.Unmarshal([]byte(out), &boot), "bootstrap output")
			rc := &ipnReceiver{secret: boot["webhookSecret"], got: map[string][]string{}, bodies: map[string][]string{}}
			shop := httptest.NewServer(rc)
			defer shop.Close()

			a := start(t, env, "admin-backend")
			waitReady(t, "http://"+admin, a)
			const n = 40
			var sessions []string
			for i := range n {
				status, body, raw := call(t, "POST", "http://"+admin+"/api/v1/checkouts/"+boot["siteId"]+"/create", boot["apiKey"],
					fmt.Sprintf(`{"amount":%d,"currency":"EUR","externalReference":"kill-%d","ipnUrl":"%s/ipn"}`, 1000+i, i, shop.URL))
				if status != 200 {
					t.Fatalf("create: %s", raw)
				}
				sessions = append(sessions, body["sessionPublicId"].(string))
			}

			pay := func(i int) (string, bool) {
				body := fmt.Sprintf(`{"sessionPublicId":"%s","providerId":"","attemptKey":"a-%d","card":{"number":"4242424242424242","expMonth":12,"expYear":2034,"cvc":"123","name":"K"}}`, sessions[i], i)
				return payOnce(t, "http://"+runtime, body, boot)
			}
			mb := start(t, env, "main-backend")
			waitReady(t, "http://"+runtime, mb)
			var wg sync.WaitGroup
			var mu sync.Mutex
			paid := map[int]string{}
			for i := range n {
				if i == n/2 {
					// Kill while the shop is still answering some deliveries.
					wg.Wait()
					for deadline := time.Now().Add(10 * time.Second); rc.started.Load() < 3; time.Sleep(5 * time.Millisecond) {
						if time.Now().After(deadline) {
							t.Fatal("no delivery started")
						}
					}
					storetest.Must(t, mb.cmd.Process.Kill(), "kill -9")
					<-mb.exited
				}
				wg.Go(func() {
					if tx, ok := pay(i); ok {
						mu.Lock()
						paid[i] = tx
						mu.Unlock()
					}
				})
				time.Sleep(5 * time.Millisecond)
			}
			wg.Wait()
			mb2 := start(t, env, "main-backend")
			waitReady(t, "http://"+runtime, mb2)
			for i := range n { // what failed while the server was down is paid now (same attempt keys)
				if _, done := paid[i]; !done {
					tx, ok := pay(i)
					if !ok {
						t.Fatalf("payment %d failed after restart", i)
					}
					paid[i] = tx
				}
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				rc.mu.Lock()
				missing := 0
				for _, tx := range paid {
					if len(rc.got[tx]) == 0 {
						missing++
					}
				}
				dupes, bad := 0, rc.bad
				for _, ds := range rc.got {
					for _, d := range ds[1:] {
						if d != ds[0] {
							t.Errorf("a payment's IPN was sent under two delivery ids: %v", ds)
						}
					}
				}
				// A delivery in flight at the kill is sent again, byte for byte.
				for id, bodies := range rc.bodies {
					for _, b := range bodies[1:] {
						dupes++
						if b != bodies[0] {
							t.Errorf("delivery %s repeated with another body:\n%s\n%s", id, bodies[0], b)
						}
					}
				}
				rc.mu.Unlock()
				// Done when nothing is pending any more: the dead worker's
				// claims ran out and were sent again.
				_, pending, _ := call(t, "GET", "http://"+admin+"/api/v1/deliveries?status=pending&limit=1", boot["apiKey"], "")
				if missing == 0 && pending["total"] == float64(0) {
					t.Logf("%d payments, every IPN arrived; %d repeated after the kill, %d bad signatures", len(paid), dupes, bad)
					if bad != 0 {
						t.Fatalf("%d IPNs with bad signatures", bad)
					}
					if dupes == 0 {
						t.Fatal("no delivery was in flight at the kill: the test proves nothing")
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d of %d IPNs never arrived", missing, len(paid))
				}
				time.Sleep(50 * time.Millisecond)
			}
			mb2.stop(t)
			a.stop(t)
		})
	}
}

// payOnce pays through the runtime API; ok reports a success (or a replay of
// one), false a failure such as the server being down.
func payOnce(t *testing.T, base, body string, boot map[string]string) (string, bool) {
	t.Helper()
	body = strings.Replace(body, `"providerId":""`, `"providerId":"`+boot["providerId"]+`"`, 1)
	resp, err := http.Post(base+"/api/v1/transactions/create", "application/json", strings.NewReader(body))
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	var v map[string]any
	json.NewDecoder(resp.Body).Decode(&v) //nolint:errcheck // a failed answer is not a payment
	if resp.StatusCode != 200 {
		return "", false
	}
	return v["transactionId"].(string), true
}
