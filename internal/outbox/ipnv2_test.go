package outbox_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tenant"
)

// A v2 site's IPNs: every status in order (none superseded, so the plugins see
// a payment before its refund), the v2 headers, a retry and a manual
// redelivery of the same bytes under a fresh signature.
func TestIPNv2DeliveryAndRedelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fx := fixture{s: s, f: storetest.SeedIPN(t, s, "shop", tenant.IPNv2), pay: payment.New(s)}
		// The first answer of each delivery is a 500: every IPN is sent twice.
		seen := map[string]bool{}
		rc := newReceiver(t, ok200)
		rc.behave = func(n int, w http.ResponseWriter) {
			h := rc.got()[n-1]
			id := h.header.Get(notify.HeaderIPNDeliveryID)
			if !seen[id] {
				seen[id] = true
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusOK)
		}
		c := fx.checkout(t, rc.URL+"/ipn", "2042")
		paid := fx.pay1(t, c, "4242424242424242")
		if _, err := fx.pay.Refund(ctx, fx.f.OrgID, paid.Transaction.ID, 4900); err != nil {
			t.Fatal(err)
		}
		startWorker(t, s, config())
		waitFor(t, "three IPNs delivered", func() bool { return len(fx.deliveries(t, notify.Delivered)) == 3 })
		hits := rc.got()
		if len(hits) != 6 {
			t.Fatalf("%d requests, want each of 3 IPNs twice", len(hits))
		}
		var statuses []int
		for i := 0; i < len(hits); i += 2 {
			first, retry := hits[i], hits[i+1]
			if !bytes.Equal(first.body, retry.body) {
				t.Fatalf("a retry changed the body:\n%s\n%s", first.body, retry.body)
			}
			var b notify.IPNv2
			storetest.Must(t, json.Unmarshal(first.body, &b), "body")
			for _, h := range []hit{first, retry} {
				verify(t, h, fx.secret(t), notify.HeaderSignature)
				if h.header.Get(notify.HeaderIPNVersion) != "2" || h.header.Get(notify.HeaderIPNDeliveryID) != b.DeliveryID {
					t.Fatalf("v2 headers %v for %s", h.header, h.body)
				}
			}
			if b.EventVersion != int64(i/2+1) || b.SessionPublicID != c.SessionPublicID || b.ID != paid.Transaction.ID {
				t.Fatalf("IPN %d: %s", i/2, first.body)
			}
			statuses = append(statuses, b.Status)
		}
		if len(statuses) != 3 || statuses[0] != -1 || statuses[1] != 1 || statuses[2] != 3 {
			t.Fatalf("statuses in arrival order %v, want initiated, paid, refunded", statuses)
		}
		if sup := fx.deliveries(t, notify.Superseded); len(sup) != 0 {
			t.Fatalf("%d v2 IPNs superseded", len(sup))
		}

		// A manual redelivery sends the same bytes, signed anew.
		refund := fx.deliveries(t, notify.Delivered)[0]
		before := len(rc.got())
		time.Sleep(1100 * time.Millisecond) // a later second, so the timestamp differs
		_, err := s.Redeliver(ctx, fx.f.OrgID, refund.ID, time.Hour)
		storetest.Must(t, err, "redeliver")
		waitFor(t, "the redelivery", func() bool { return len(rc.got()) == before+1 })
		again := rc.got()[before]
		if string(again.body) != refund.Body || again.header.Get(notify.HeaderIPNDeliveryID) != notify.IPNDeliveryID(refund.ID) {
			t.Fatalf("redelivery %s, want %s", again.body, refund.Body)
		}
		verify(t, again, fx.secret(t), notify.HeaderSignature)
		if again.header.Get(notify.HeaderTimestamp) == hits[5].header.Get(notify.HeaderTimestamp) {
			t.Fatal("the redelivery reused the old timestamp")
		}
		var d store.Delivery = *refund
		if d.IPNVersion != tenant.IPNv2 || d.EventVersion != 3 {
			t.Fatalf("delivery record %+v", d)
		}
	})
}
