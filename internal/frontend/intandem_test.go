package frontend_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/adapter/intandem"
	"github.com/pgw/pgw/internal/adapter/intandem/intandemtest"
	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/outbox"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

const bizUID = "hbt3qhcvqdyvb5ev"

// tandem is main-frontend with a site connected to a fake inTandem.
type tandem struct {
	*site
	fake *intandemtest.Fake
}

func newTandem(t *testing.T, s *store.Store, origins ...string) *tandem {
	cfg := &config.Config{}
	cfg.Notify.AllowPrivateTargets = true
	cfg.Checkout.MaxAmount = 1e12
	srv := httptest.NewServer(app.Frontend(cfg, s, slog.New(slog.DiscardHandler)).Handler)
	t.Cleanup(srv.Close)
	r, err := store.Bootstrap(ctx, s, store.BootstrapInput{Org: "Studio", Site: "Yoga Studio"})
	storetest.Must(t, err, "bootstrap")
	fake := intandemtest.New(t, "biz-token")
	storetest.Must(t, intandem.NewData(s).SaveConnection(ctx, &intandem.Connection{SiteID: r.Site.ID, OrganizationID: r.Organization.ID,
		APIBase: fake.URL, BusinessUID: bizUID, Token: "biz-token", FrameOrigins: strings.Join(origins, " "), AppName: "pgw",
		Mode: checkout.ModeTest, CreatedAt: store.TimeNow(), UpdatedAt: store.TimeNow()}), "connection")
	return &tandem{site: &site{t: t, s: s, srv: srv, r: r}, fake: fake}
}

func (tn *tandem) postJSON(path, body string) (int, map[string]any) {
	tn.t.Helper()
	resp, err := http.Post(tn.srv.URL+path, "application/json", strings.NewReader(body))
	storetest.Must(tn.t, err, "POST %s", path)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		tn.t.Fatalf("%s answered %d %s", path, resp.StatusCode, raw)
	}
	return resp.StatusCode, m
}

func (tn *tandem) token(number, amount string) (int, map[string]any) {
	return tn.postJSON("/intandem/token", `{"pivot_id":"`+bizUID+`","amount":`+amount+`,"currency":"USD","client_id":"c1",
		"number":"`+number+`","expiry":"12 / 34","cvc":"123","name":"Dana Staff"}`)
}

func (tn *tandem) charge(token, amount, psu string) map[string]any {
	_, m := tn.postJSON("/intandem/charge", `{"amount":`+amount+`,"currency":"USD","token":"`+token+`","description":"30 minutes phone call",
		"customer_id":"","initiator":"business","payment_status_uid":"`+psu+`"}`)
	return m
}

func runWorker(t *testing.T, s *store.Store) {
	wctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		outbox.New(s, outbox.Config{PollInterval: 10 * time.Millisecond, Lease: 3 * time.Second, Concurrency: 4, MaxAge: time.Minute,
			RetryBase: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond, AttemptTimeout: time.Second, AllowPrivate: true, Sinks: app.Sinks(s)},
			slog.New(slog.DiscardHandler)).Run(wctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

func TestIntandemConnect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tn := newTandem(t, s, "https://app.vcita.com")
		// redirect_url goes only to the connection's inTandem origins.
		for _, bad := range []string{"https://evil.example/", "https://app.vcita.com.evil.example/", "http://app.vcita.com/",
			"https://user@app.vcita.com/", "//evil.example/", "javascript:alert(1)"} {
			for _, path := range []string{"/intandem/connect", "/intandem/disconnect"} {
				if resp, body := tn.get(path + "?b_uid=" + bizUID + "&redirect_url=" + url.QueryEscape(bad)); resp.StatusCode != 400 ||
					resp.Header.Get("Location") != "" || !strings.Contains(body, "not valid") {
					t.Fatalf("%s to %s: %d %s", path, bad, resp.StatusCode, resp.Header.Get("Location"))
				}
			}
		}
		if len(tn.fake.Settings()) != 0 {
			t.Fatal("a refused link reported to inTandem")
		}
		resp, _ := tn.get("/intandem/connect?b_uid=" + bizUID + "&redirect_url=" + url.QueryEscape("https://app.vcita.com/settings?x=1"))
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://app.vcita.com/settings?x=1" {
			t.Fatalf("connect: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		st := tn.fake.Settings()
		if len(st) != 1 || st[0]["external_pgw_connected"] != true || st[0]["payments_gateway_type"] != "pgw" ||
			st[0]["external_pgw_params"].(map[string]any)["merchant_id"] != tn.r.Site.ID {
			t.Fatalf("settings %v", st)
		}
		if c, _ := intandem.NewData(s).ConnectionBySite(ctx, tn.r.Site.ID); !c.Connected {
			t.Fatal("not marked connected")
		}
		// Anyone can follow the disconnect link: it changes nothing and
		// sends the merchant to the dashboard to confirm.
		resp, body := tn.get("/intandem/disconnect?b_uid=" + bizUID + "&redirect_url=" + url.QueryEscape("https://app.vcita.com/settings"))
		if resp.StatusCode != 200 || !strings.Contains(body, "/dashboard/intandem/disconnect?b_uid="+bizUID+"&amp;redirect_url=https%3A%2F%2Fapp.vcita.com%2Fsettings") {
			t.Fatalf("disconnect link: %d %s", resp.StatusCode, body)
		}
		if c, _ := intandem.NewData(s).ConnectionBySite(ctx, tn.r.Site.ID); !c.Connected || len(tn.fake.Settings()) != 1 {
			t.Fatal("following the disconnect link changed something")
		}
		if resp, body := tn.get("/intandem/connect?b_uid=unknown&redirect_url=https://x.example"); resp.StatusCode != 404 || !strings.Contains(body, "not set up") {
			t.Fatalf("unknown business: %d", resp.StatusCode)
		}
		tn.fake.Token = "rotated"
		if resp, body := tn.get("/intandem/connect?b_uid=" + bizUID); resp.StatusCode != 502 || !strings.Contains(body, "could not tell inTandem") {
			t.Fatalf("bad token: %d %s", resp.StatusCode, body)
		}
	})
}

func TestIntandemCheckoutFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tn := newTandem(t, s)
		ret := "https://clients.vcita.com/portal/abc?fromCheckout=true&key=k&provider=external"
		tn.fake.AddCheckout("uk1", map[string]any{"amount": "85.0", "currency": "USD", "name": "1 hour lesson", "return_url": ret,
			"email": "nil", "client_id": "y9n3g3fqc4rcjjph", "id": "448ierdjcmqs9aor", "allow_save_card": false})
		tn.fake.AddCheckout("uk2", map[string]any{"amount": 7376, "currency": "JPY", "name": "Tea set", "return_url": ret, "email": "buyer@example.com"})
		tn.fake.LoseUpdates = 1 // the first update is stored but its answer is lost
		runWorker(t, s)

		resp, _ := tn.get("/intandem/checkout/" + bizUID + "/uk1")
		loc := resp.Header.Get("Location")
		if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/checkout/") {
			t.Fatalf("checkout redirect: %d %s", resp.StatusCode, loc)
		}
		again, _ := tn.get("/intandem/checkout/" + bizUID + "/uk1")
		if again.Header.Get("Location") != loc {
			t.Fatal("a second visit made another checkout")
		}
		c, err := s.GetCheckoutByShortCode(ctx, strings.TrimPrefix(loc, "/checkout/"))
		storetest.Must(t, err, "checkout")
		if c.Amount != 8500 || c.Currency != "USD" || c.Items[0].Name != "1 hour lesson" || c.Email != "" || c.ReturnURL != ret ||
			c.Source != checkout.SourceIntandem || c.Reference() != "448ierdjcmqs9aor" {
			t.Fatalf("checkout %+v", c)
		}
		_, page := tn.get(loc)
		resp, _ = tn.post(loc+"/pay", form(page, "4242 4242 4242 4242"))
		if resp.StatusCode != 303 || resp.Header.Get("Location") != ret {
			t.Fatalf("after paying: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		waitUntil(t, func() bool { return len(tn.fake.Updates()) == 1 && delivered(t, s, tn.r.Organization.ID, c.ID) })
		up := tn.fake.Updates()[0]
		paid, _ := s.GetCheckout(ctx, tn.r.Organization.ID, c.ID)
		var txID string
		for _, tx := range paid.Transactions {
			if tx.Status == checkout.TxSucceeded {
				txID = tx.ID
			}
		}
		key, _ := up.Body["transaction_id"].(string)
		if up.Auth != "Bearer biz-token" || up.Body["url_key"] != "uk1" || up.Body["type"] != "checkout.session.completed" ||
			!strings.HasPrefix(key, "ck_") || len(key) < 3+22 || strings.Contains(key, txID) ||
			up.Body["amount"] != 85.0 || up.Body["payment_method"] != "Credit Card" || up.Body["created"] == "" {
			t.Fatalf("update %+v", up)
		}
		// The key inTandem refunds by is nowhere the buyer or the merchant can
		// read it: not on the receipt, in the return URL or in the stored update.
		if _, receipt := tn.get(loc); strings.Contains(receipt, key) || !strings.Contains(receipt, txID) {
			t.Fatal("the receipt shows the charge key, or not the transaction")
		}
		ds, _, err := s.ListDeliveries(ctx, store.DeliveryFilter{OrganizationID: tn.r.Organization.ID, CheckoutID: c.ID, Page: 1, Limit: 10})
		storetest.Must(t, err, "deliveries")
		for _, d := range ds {
			if strings.Contains(d.Body, key) || strings.Contains(d.Body, "transaction_id") {
				t.Fatalf("stored update holds the key: %s", d.Body)
			}
		}
		// The buyer knows the transaction id, which refunds nothing.
		if st, m := tn.postJSON("/intandem/refund", `{"amount":"85.00","charge_key":"`+txID+`","currency":"USD"}`); st != 404 || m["success"] != false {
			t.Fatalf("refund by the transaction id: %d %v", st, m)
		}
		// A checkout payment is refunded by the key inTandem stored.
		if st, m := tn.postJSON("/intandem/refund", `{"amount":"85.00","charge_key":"`+key+`","currency":"USD"}`); st != 200 || m["success"] != true {
			t.Fatalf("refund of the checkout payment: %d %v", st, m)
		}
		// A long name cut where a character of several bytes stands still
		// makes a checkout.
		tn.fake.AddCheckout("uk-long", map[string]any{"amount": "10", "currency": "USD", "name": strings.Repeat("a", 199) + "€ and more"})
		if resp, body := tn.get("/intandem/checkout/" + bizUID + "/uk-long"); resp.StatusCode != 303 {
			t.Fatalf("long name: %d %s", resp.StatusCode, body)
		}
		// JPY given as a number.
		resp, _ = tn.get("/intandem/checkout/" + bizUID + "/uk2")
		jp, _ := s.GetCheckoutByShortCode(ctx, strings.TrimPrefix(resp.Header.Get("Location"), "/checkout/"))
		if jp.Amount != 7376 || jp.Currency != "JPY" || jp.Email != "buyer@example.com" {
			t.Fatalf("JPY checkout %+v", jp)
		}

		// inTandem's errors give clear pages, never a 500.
		for _, tc := range []struct {
			path   string
			status int
			words  string
		}{
			{"/intandem/checkout/" + bizUID + "/nosuchkey", 404, "not valid"},
			{"/intandem/checkout/unknownbiz/uk1", 404, "not valid"},
			{"/intandem/checkout/" + bizUID + "/bad%20key", 404, "not valid"},
		} {
			if resp, body := tn.get(tc.path); resp.StatusCode != tc.status || !strings.Contains(body, tc.words) {
				t.Fatalf("%s: %d", tc.path, resp.StatusCode)
			}
		}
		tn.fake.AddCheckout("uk3", map[string]any{"amount": "10.00", "currency": "USD", "name": "x", "return_url": ret})
		tn.fake.Token = "rotated"
		if resp, body := tn.get("/intandem/checkout/" + bizUID + "/uk3"); resp.StatusCode != 502 || !strings.Contains(body, "needs attention") {
			t.Fatalf("bad token: %d", resp.StatusCode)
		}
		tn.fake.Token = "biz-token"
		tn.fake.Close()
		if resp, body := tn.get("/intandem/checkout/" + bizUID + "/uk3"); resp.StatusCode != 502 || !strings.Contains(body, "try again") {
			t.Fatalf("inTandem down: %d", resp.StatusCode)
		}
	})
}

func delivered(t *testing.T, s *store.Store, orgID, checkoutID string) bool {
	ds, _, err := s.ListDeliveries(ctx, store.DeliveryFilter{OrganizationID: orgID, CheckoutID: checkoutID, Status: "delivered", Page: 1, Limit: 10})
	storetest.Must(t, err, "deliveries")
	for _, d := range ds {
		if d.Sink == "intandem" {
			return true
		}
	}
	return false
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

func TestIntandemAlreadyPaidPage(t *testing.T) {
	tn := newTandem(t, storetest.Open(t, store.SQLite))
	tn.fake.AddCheckout("uk9", map[string]any{"amount": "5", "currency": "USD", "name": "x", "return_url": "https://x.example"})
	_, err := http.NewRequest("PUT", tn.fake.URL, nil)
	storetest.Must(t, err, "req")
	req, _ := http.NewRequest("PUT", tn.fake.URL+"/platform/v1/payment/checkout/", strings.NewReader(`{"url_key":"uk9","type":"checkout.session.completed","transaction_id":"elsewhere"}`))
	req.Header.Set("Authorization", "Bearer biz-token")
	resp, err := http.DefaultClient.Do(req)
	storetest.Must(t, err, "pay elsewhere")
	resp.Body.Close()
	if resp, body := tn.get("/intandem/checkout/" + bizUID + "/uk9"); resp.StatusCode != 409 || !strings.Contains(body, "already been made") {
		t.Fatalf("already paid: %d", resp.StatusCode)
	}
}

func TestIntandemChargeAndRefund(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tn := newTandem(t, s, "https://app.vcita.com")
		resp, body := tn.get("/intandem/charge?pivot_id=" + bizUID)
		csp := resp.Header.Get("Content-Security-Policy")
		if resp.StatusCode != 200 || !strings.Contains(csp, "frame-ancestors https://app.vcita.com") || strings.Contains(csp, "frame-ancestors 'none'") ||
			resp.Header.Get("X-Frame-Options") != "" || !strings.Contains(body, `data-parent-origins="https://app.vcita.com"`) || !strings.Contains(csp, "connect-src 'self'") {
			t.Fatalf("iframe: %d %s", resp.StatusCode, csp)
		}
		if resp, _ := tn.get("/intandem/charge?pivot_id=nobody"); resp.StatusCode != 404 {
			t.Fatalf("unknown pivot: %d", resp.StatusCode)
		}
		// The card fields speak the language asked for.
		if _, body := tn.get("/intandem/charge?pivot_id=" + bizUID + "&lg=de"); !strings.Contains(body, "Kartennummer") || !strings.Contains(body, `lang="de"`) {
			t.Fatalf("German iframe: %.400s", body)
		}
		if !strings.Contains(body, "Card number") {
			t.Fatalf("English iframe: %.400s", body)
		}
		status, m := tn.token("4242", "10")
		if status != 422 || !strings.Contains(fmt.Sprint(m["errors"]), "card number") {
			t.Fatalf("bad card: %d %v", status, m)
		}
		status, m = tn.token("4242 4242 4242 4242", "10")
		if status != 200 || !strings.HasPrefix(m["token"].(string), "tok_") {
			t.Fatalf("token: %d %v", status, m)
		}
		tok := m["token"].(string)
		stored, _ := intandem.NewData(s).GetToken(ctx, tok)
		if stored.CardLast4 != "4242" || stored.Amount != 1000 || strings.Contains(fmt.Sprintf("%+v", stored), "4242424242424242") {
			t.Fatalf("token row %+v", stored)
		}
		if m := tn.charge(tok, "11", "ps1"); m["error"] == nil || m["error_data"].(map[string]any)["message"] == nil {
			t.Fatalf("amount mismatch charged: %v", m)
		}
		m = tn.charge(tok, "10", "ps1")
		key, _ := m["charge_key"].(string)
		if !strings.HasPrefix(key, "ck_") || len(key) < 3+22 {
			t.Fatalf("charge: %v", m)
		}
		if again := tn.charge(tok, "10", "ps1"); again["charge_key"] != key {
			t.Fatalf("repeated charge: %v", again)
		}
		if other := tn.charge(tok, "10", "ps2"); other["error"] == nil {
			t.Fatalf("token reused for another payment: %v", other)
		}
		// The same payment_status_uid with any other token, a declined card's
		// included, or another amount is refused and changes nothing.
		_, m = tn.token("4000 0000 0000 0002", "10")
		if d := tn.charge(m["token"].(string), "10", "ps1"); d["error"] == nil || d["charge_key"] != nil {
			t.Fatalf("another token got the charge: %v", d)
		}
		_, m = tn.token("4242 4242 4242 4242", "10")
		fresh := m["token"].(string)
		if d := tn.charge(fresh, "10", "ps1"); d["error"] == nil || d["charge_key"] != nil {
			t.Fatalf("a fresh token got the charge: %v", d)
		}
		if again, _ := intandem.NewData(s).GetToken(ctx, fresh); again.UsedBy != "" {
			t.Fatalf("the refused replay used the fresh token: %+v", again)
		}
		if d := tn.charge(tok, "11", "ps1"); d["error"] == nil || d["charge_key"] != nil {
			t.Fatalf("another amount got the charge: %v", d)
		}
		tx, err := intandem.NewData(s).TransactionByChargeKey(ctx, key)
		storetest.Must(t, err, "transaction")
		if st, m := tn.postJSON("/intandem/refund", `{"amount":"1.00","charge_key":"`+tx.ID+`","currency":"USD"}`); st != 404 || m["success"] != false {
			t.Fatalf("refund by the transaction id: %d %v", st, m)
		}
		if tx.Status != checkout.TxSucceeded || tx.Amount != 1000 || tx.OrganizationID != tn.r.Organization.ID {
			t.Fatalf("transaction %+v", tx)
		}
		_, m = tn.token("4000 0000 0000 0002", "10")
		if d := tn.charge(m["token"].(string), "10", "ps3"); d["error"] == nil || !strings.Contains(d["error"].(string), "declined") {
			t.Fatalf("declined card: %v", d)
		}
		if u := tn.charge("tok_nosuchtoken", "10", "ps4"); u["error"] == nil {
			t.Fatalf("unknown token: %v", u)
		}

		refund := func(amount, key, cur string) (int, map[string]any) {
			return tn.postJSON("/intandem/refund", `{"amount":"`+amount+`","charge_key":"`+key+`","currency":"`+cur+`"}`)
		}
		if st, m := refund("4.00", key, "USD"); st != 200 || m["success"] != true {
			t.Fatalf("partial refund: %d %v", st, m)
		}
		if st, m := refund("6.01", key, "USD"); st == 200 || m["success"] != false {
			t.Fatalf("over-refund: %d %v", st, m)
		}
		if st, m := refund("1.00", key, "EUR"); st == 200 || m["success"] != false {
			t.Fatalf("currency mismatch: %d %v", st, m)
		}
		if st, m := refund("6.00", key, "USD"); st != 200 || m["success"] != true {
			t.Fatalf("rest refund: %d %v", st, m)
		}
		if st, m := refund("0.01", key, "USD"); st == 200 || m["success"] != false {
			t.Fatalf("refund beyond full: %d %v", st, m)
		}
		if st, m := refund("1.00", "txn_unknown", "USD"); st != 404 || m["success"] != false {
			t.Fatalf("unknown charge_key: %d %v", st, m)
		}
		tx, _ = s.GetTransactionUnscoped(ctx, tx.ID)
		if tx.Status != checkout.TxRefunded || tx.RefundedAmount != 1000 {
			t.Fatalf("after refunds %s %d", tx.Status, tx.RefundedAmount)
		}
	})
}
