package dashboard_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestIPNSettingAndTestNotification(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s, func(c *config.Config) { c.Notify.AllowPrivateTargets = true })
		admin := w.signIn("admin")
		site := "/dashboard/sites/" + w.acme.Site.ID
		if page := admin.get(site); !strings.Contains(page.body, "IPN version 2") {
			t.Fatalf("a new site's page does not say it speaks v2:\n%s", page.body)
		}
		if r := w.signIn("editor").post(site+"/ipn", url.Values{"ipn_version": {"1"}}); r.status != http.StatusForbidden {
			t.Fatalf("an editor changes the IPN version: %d", r.status)
		}
		if r := admin.post(site+"/ipn", url.Values{"ipn_version": {"3"}}); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("version 3: %d", r.status)
		}
		if r := admin.post(site+"/ipn", url.Values{"ipn_version": {"1"}}); r.status != http.StatusSeeOther {
			t.Fatalf("version 1: %d", r.status)
		}
		if got, _ := s.GetSite(context.Background(), w.acme.Organization.ID, w.acme.Site.ID); got.IPNVersion != 1 {
			t.Fatalf("site speaks v%d", got.IPNVersion)
		}

		// The test notification: signed v2, and the plugin's 4xx shown as expected.
		var mu sync.Mutex
		var got *http.Request
		var body []byte
		shop := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			got, body = r, nil
			body, _ = io.ReadAll(r.Body)
			http.Error(rw, "unknown event", http.StatusBadRequest)
		}))
		defer shop.Close()
		if r := admin.post(site+"/ipn-test", url.Values{"url": {"javascript:alert(1)"}}); r.status != http.StatusSeeOther {
			t.Fatalf("bad URL: %d", r.status)
		}
		if page := admin.get(site); !strings.Contains(page.body, "absolute http or https URL") {
			t.Fatal("a bad URL is not refused")
		}
		if r := admin.post(site+"/ipn-test", url.Values{"url": {shop.URL + "/ipn"}}); r.status != http.StatusSeeOther {
			t.Fatalf("test notification: %d", r.status)
		}
		mu.Lock()
		if got == nil {
			t.Fatal("no test notification arrived")
		}
		var b map[string]any
		storetest.Must(t, json.Unmarshal(body, &b), "test body")
		if b["schemaVersion"] != float64(2) || b["eventType"] != "ipn.test" || b["deliveryId"] != got.Header.Get("X-IPN-Delivery-ID") ||
			got.Header.Get("X-IPN-Version") != "2" || len(b) != 4 {
			t.Fatalf("test notification %s %v", body, got.Header)
		}
		m := hmac.New(sha256.New, []byte(w.acme.Site.WebhookSecret))
		m.Write([]byte(got.Header.Get("X-Signature-Timestamp") + "." + string(body)))
		if hex.EncodeToString(m.Sum(nil)) != got.Header.Get("X-Signature-HMAC-SHA256") {
			t.Fatal("the test notification's signature does not verify")
		}
		mu.Unlock()
		if page := html.UnescapeString(admin.get(site).body); !strings.Contains(page, "answered HTTP 400") || !strings.Contains(page, "a 4xx from them is expected") {
			t.Fatal("the answer is not shown with its explanation")
		}
	})
}

func TestDashboardDisputesAndHolds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s, func(c *config.Config) { c.Disputes.AutoHold = "block_all" })
		ctx := context.Background()
		checkoutID, txID := w.paid(w.acme, "disp-1")
		editor, admin := w.signIn("editor"), w.signIn("admin")
		page := editor.get("/dashboard/checkouts/" + checkoutID)
		// The delivery log names each v2 IPN's delivery id and event version.
		if !strings.Contains(page.body, "IPN v2 · dlv.") || !strings.Contains(page.body, " · event 2") {
			t.Fatal("the delivery log does not show the IPN version, delivery id and event version")
		}
		if !strings.Contains(page.body, "/dashboard/transactions/"+txID+"/disputes") {
			t.Fatal("no way to record a dispute of a paid payment")
		}
		if r := w.signIn("viewer").post("/dashboard/transactions/"+txID+"/disputes", url.Values{"reason": {"x"}}); r.status != http.StatusForbidden {
			t.Fatalf("a viewer records a dispute: %d", r.status)
		}
		if r := w.signIn("other").post("/dashboard/transactions/"+txID+"/disputes", url.Values{"reason": {"x"}}); r.status != http.StatusNotFound {
			t.Fatalf("another organization records a dispute: %d", r.status)
		}
		editor.post("/dashboard/transactions/"+txID+"/disputes", url.Values{"amount": {"99"}})
		if page := editor.get("/dashboard/checkouts/" + checkoutID); !strings.Contains(page.body, "Not recorded") {
			t.Fatal("a dispute above the payment is not refused")
		}
		if r := editor.post("/dashboard/transactions/"+txID+"/disputes", url.Values{"amount": {"10.00"}, "reason": {"product not received"}}); r.status != http.StatusSeeOther {
			t.Fatalf("record: %d", r.status)
		}
		ds, err := s.ListDisputes(ctx, w.acme.Organization.ID, txID)
		if err != nil || len(ds) != 1 || ds[0].Amount != 1000 || ds[0].Reason != "product not received" {
			t.Fatalf("disputes %+v %v", ds, err)
		}
		if tx, _ := s.GetTransaction(ctx, w.acme.Organization.ID, txID); tx.Status != "chargeback" {
			t.Fatalf("payment %s", tx.Status)
		}
		if r := editor.post("/dashboard/disputes/"+ds[0].ID, url.Values{"transaction": {txID}, "status": {"accepted"}}); r.status != http.StatusSeeOther {
			t.Fatalf("accept: %d", r.status)
		}
		// The accepted dispute held the buyer; the holds page shows it and an admin lifts it.
		holds := admin.get("/dashboard/holds")
		if !strings.Contains(holds.body, "buyer@example.com") || !strings.Contains(holds.body, "accepted_dispute") {
			t.Fatalf("holds page:\n%s", holds.body)
		}
		hs, _, err := s.ListHolds(ctx, w.acme.Organization.ID, "", 1, 10)
		if err != nil || len(hs) != 1 {
			t.Fatalf("holds %v %v", hs, err)
		}
		if r := editor.post("/dashboard/holds/"+hs[0].ID+"/delete", nil); r.status != http.StatusForbidden {
			t.Fatalf("an editor lifts a hold: %d", r.status)
		}
		if r := admin.post("/dashboard/holds/"+hs[0].ID+"/delete", nil); r.status != http.StatusSeeOther {
			t.Fatalf("lift: %d", r.status)
		}
		admin.post("/dashboard/holds", url.Values{"email": {"x@example.com"}, "action": {"allow_provider_types"}, "reason": {"bank only"}})
		if page := admin.get("/dashboard/holds"); !strings.Contains(page.body, "Not held") {
			t.Fatal("a restriction without types is not refused")
		}
		if r := admin.post("/dashboard/holds", url.Values{"email": {"X@example.com"}, "action": {"allow_provider_types"}, "allowed": {"wire"}, "reason": {"bank only"}}); r.status != http.StatusSeeOther {
			t.Fatalf("hold: %d", r.status)
		}
		if hs, _, _ := s.ListHolds(ctx, w.acme.Organization.ID, "x@example.com", 1, 10); len(hs) != 1 || hs[0].Allowed()[0] != "wire" {
			t.Fatalf("holds %v", hs)
		}
	})
}
