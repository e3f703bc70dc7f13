package adminapi_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/risk"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tenant"
)

// ipnBodies are the IPN bodies of a transaction's deliveries, oldest first.
func (e *env) ipnBodies(token, txID string) []map[string]any {
	e.t.Helper()
	r := e.do("GET", "/api/v1/deliveries?transactionId="+txID+"&limit=100", token, "")
	expect(e.t, r, 200, "")
	var list struct {
		Data []struct {
			Sink          string          `json:"sink"`
			Body          json.RawMessage `json:"body"`
			IPNVersion    int             `json:"ipnVersion"`
			IPNDeliveryID string          `json:"ipnDeliveryId"`
			EventVersion  int64           `json:"eventVersion"`
		} `json:"data"`
	}
	storetest.Must(e.t, json.Unmarshal(r.raw, &list), "deliveries")
	var out []map[string]any
	for i := len(list.Data) - 1; i >= 0; i-- {
		d := list.Data[i]
		if d.Sink != "ipn" {
			continue
		}
		var b map[string]any
		storetest.Must(e.t, json.Unmarshal(d.Body, &b), "IPN body")
		if d.IPNVersion == 2 && (b["deliveryId"] != d.IPNDeliveryID || b["eventVersion"] != float64(d.EventVersion)) {
			e.t.Fatalf("the delivery log's ids differ from the body: %+v %s", d, d.Body)
		}
		out = append(out, b)
	}
	return out
}

var deliveryIDRE = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// checkIPNv2 holds a v2 body to the contract: exactly these names, these
// JSON types and these limits.
func checkIPNv2(t *testing.T, b map[string]any) {
	t.Helper()
	want := []string{"schemaVersion", "deliveryId", "eventVersion", "occurredAt", "id", "externalReference", "status", "sessionPublicId"}
	if len(b) != len(want) {
		t.Fatalf("v2 body has %d names, want exactly %v: %v", len(b), want, b)
	}
	for _, k := range want {
		if _, ok := b[k]; !ok {
			t.Fatalf("v2 body lacks %s: %v", k, b)
		}
	}
	integer := func(k string) float64 {
		f, ok := b[k].(float64)
		if !ok || f != float64(int64(f)) {
			t.Fatalf("%s is not a JSON integer: %v", k, b[k])
		}
		return f
	}
	str := func(k string, max int) string {
		s, ok := b[k].(string)
		if !ok || len(s) > max || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("%s is not a clean string of at most %d bytes: %v", k, max, b[k])
		}
		return s
	}
	if integer("schemaVersion") != 2 || integer("eventVersion") < 1 {
		t.Fatalf("schemaVersion or eventVersion: %v", b)
	}
	if st := integer("status"); st < -2 || st > 4 {
		t.Fatalf("status %v", st)
	}
	if !deliveryIDRE.MatchString(str("deliveryId", 128)) {
		t.Fatalf("deliveryId %v", b["deliveryId"])
	}
	if _, err := time.Parse(time.RFC3339, str("occurredAt", 64)); err != nil {
		t.Fatalf("occurredAt: %v", err)
	}
	str("id", 64)
	str("externalReference", 64)
	str("sessionPublicId", 64)
}

func TestSitesAPIAndIPNv2(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		tok := e.a.Token
		// A new site speaks v2 and shows its secret once.
		created := e.do("POST", "/api/v1/sites", tok, `{"displayName":"Woo shop","branding":{"primaryColor":"#112233"},"amountUnits":"cents"}`)
		expect(t, created, 201, "")
		site := created.body
		if site["ipnVersion"] != float64(2) || !strings.HasPrefix(site["webhookSecret"].(string), "whsec_") || site["slug"] != "woo-shop" ||
			site["amountUnits"] != "cents" || site["branding"].(map[string]any)["primaryColor"] != "#112233" {
			t.Fatalf("created site %s", created.raw)
		}
		id := site["id"].(string)
		got := e.do("GET", "/api/v1/sites/"+id, tok, "")
		expect(t, got, 200, "")
		if strings.Contains(string(got.raw), "whsec_") {
			t.Fatalf("the secret is shown again: %s", got.raw)
		}
		expect(t, e.do("GET", "/api/v1/sites/"+id, e.b.Token, ""), 404, "not_found")
		expect(t, e.do("POST", "/api/v1/sites", tok, `{"displayName":"Woo shop"}`), 409, "slug_taken")
		expect(t, e.do("POST", "/api/v1/sites", tok, `{"slug":"x"}`), 422, "validation_error")
		expect(t, e.do("POST", "/api/v1/sites", tok, `{"displayName":"Y","slug":"Not A Slug"}`), 422, "validation_error")
		expect(t, e.do("PATCH", "/api/v1/sites/"+id, tok, `{"ipnVersion":3}`), 422, "validation_error")
		expect(t, e.do("PATCH", "/api/v1/sites/"+id, tok, `{"ipnVersion":"2"}`), 400, "invalid_json")
		expect(t, e.do("PATCH", "/api/v1/sites/"+id, tok, `{"slug":"other"}`), 422, "validation_error")
		expect(t, e.do("PATCH", "/api/v1/sites/"+id, tok, `{"defaultExpirySeconds":10}`), 422, "validation_error")
		expect(t, e.do("PATCH", "/api/v1/sites/"+id, tok, `{"branding":{"logoUrl":"http://insecure.example/logo.png"}}`), 422, "validation_error")
		expect(t, e.do("PATCH", "/api/v1/sites/"+e.b.Site.ID, tok, `{"ipnVersion":2}`), 404, "not_found")
		readOnly := e.key(e.a.Organization.ID, "site:read")
		expect(t, e.do("PATCH", "/api/v1/sites/"+id, readOnly, `{"ipnVersion":1}`), 403, "")
		expect(t, e.do("POST", "/api/v1/sites", readOnly, `{"displayName":"Z"}`), 403, "")

		// v2 refuses a reference it could not carry; v1 takes it.
		long := strings.Repeat("r", 65)
		body := fmt.Sprintf(`{"amount":100,"currency":"EUR","externalReference":%q,"ipnUrl":"https://shop.example/ipn"}`, long)
		refused := e.do("POST", "/api/v1/checkouts/"+id+"/create", tok, body)
		expect(t, refused, 422, "validation_error")
		if refused.body["field"] != "externalReference" || !strings.Contains(refused.body["error"].(string), "64 bytes") {
			t.Fatalf("refusal %s", refused.raw)
		}
		expect(t, e.do("POST", "/api/v1/checkouts/"+e.a.Site.ID+"/create", tok, body), 200, "")
		tab := `{"amount":100,"currency":"EUR","externalReference":"a\tb"}`
		expect(t, e.do("POST", "/api/v1/checkouts/"+id+"/create", tok, tab), 422, "validation_error")
		expect(t, e.do("POST", "/api/v1/checkouts/"+e.a.Site.ID+"/create", tok, tab), 200, "")

		// A payment and a refund on the v2 site: each IPN is v2, versions rise.
		e.sandbox(id)
		txID := e.paid(tok, id, "v2-1", "")
		refund := e.do("POST", "/api/v1/transactions/"+txID+"/refund", tok, `{"amount":100}`)
		expect(t, refund, 200, "")
		bodies := e.ipnBodies(tok, txID)
		if len(bodies) != 3 {
			t.Fatalf("IPNs %v", bodies)
		}
		for i, b := range bodies {
			checkIPNv2(t, b)
			if b["eventVersion"] != float64(i+1) || b["id"] != txID || b["externalReference"] != "v2-1" {
				t.Fatalf("IPN %d: %v", i, b)
			}
		}
		if bodies[0]["status"] != float64(-1) || bodies[1]["status"] != float64(1) || bodies[2]["status"] != float64(3) {
			t.Fatalf("statuses %v", bodies)
		}
		for _, legacy := range []string{"transactionId", "gatewayTransactionId", "external_reference", "paymentStatus", "disputeStatus", "chargebackStatus", "chargeback"} {
			for _, b := range bodies {
				if _, ok := b[legacy]; ok {
					t.Fatalf("legacy name %s in %v", legacy, b)
				}
			}
		}

		// Moving the site back to v1 changes the next IPNs, not the ones written.
		back := e.do("PATCH", "/api/v1/sites/"+id, tok, `{"ipnVersion":1,"displayName":"Woo shop (old plugin)"}`)
		expect(t, back, 200, "")
		if back.body["ipnVersion"] != float64(1) || back.body["displayName"] != "Woo shop (old plugin)" {
			t.Fatalf("patched %s", back.raw)
		}
		tx2 := e.paid(tok, id, "v1-1", "")
		if b := e.ipnBodies(tok, tx2); len(b) != 2 || len(b[1]) != 3 || b[1]["status"] != float64(1) {
			t.Fatalf("v1 IPNs %v", b)
		}
		if again := e.ipnBodies(tok, txID); fmt.Sprint(again) != fmt.Sprint(bodies) {
			t.Fatalf("written IPNs changed: %v", again)
		}
	})
}

// key makes an API key of the organization with scopes.
func (e *env) key(orgID string, scopes ...string) string {
	e.t.Helper()
	k, token := auth.NewKey(orgID, "test", checkout.ModeTest, scopes, store.TimeNow())
	storetest.Must(e.t, e.s.CreateAPIKey(ctx, k), "key")
	return token
}

// sandbox gives a site of organization A the sandbox provider.
func (e *env) sandbox(siteID string) {
	e.t.Helper()
	prov := &tenant.Provider{ID: "prov_" + siteID, OrganizationID: e.a.Organization.ID, SiteID: siteID, Type: tenant.ProviderSandbox,
		Name: "Sandbox", Config: "{}", Enabled: true, CreatedAt: store.TimeNow()}
	storetest.Must(e.t, e.s.CreateProvider(ctx, prov), "provider")
}

// paid creates a checkout of site with reference and email, pays it with the
// sandbox, and returns the transaction id.
func (e *env) paid(token, siteID, ref, email string) string {
	e.t.Helper()
	r := e.do("POST", "/api/v1/checkouts/"+siteID+"/create", token,
		fmt.Sprintf(`{"amount":100,"currency":"EUR","externalReference":%q,"email":%q,"ipnUrl":"https://shop.example/ipn"}`, ref, email))
	expect(e.t, r, 200, "")
	org := e.a.Organization.ID
	c, err := e.s.GetCheckout(ctx, org, r.body["id"].(string))
	storetest.Must(e.t, err, "checkout")
	provs, err := e.s.ListProviders(ctx, org, siteID)
	storetest.Must(e.t, err, "providers")
	provID := e.a.Provider.ID
	if len(provs) > 0 {
		provID = provs[0].ID
	}
	res, err := payment.New(e.s).Pay(ctx, c, payment.Attempt{ProviderID: provID, CardNumber: "4242424242424242",
		ExpMonth: 1, ExpYear: 2035, CVC: "123", CardName: "A"})
	storetest.Must(e.t, err, "pay")
	if res.Outcome != payment.Paid {
		e.t.Fatalf("payment %v", res.Outcome)
	}
	return res.Transaction.ID
}

func TestDisputesAndHolds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, func(c *config.Config) { c.Disputes.AutoHold = "block_all" })
		tok, site := e.a.Token, e.a.Site.ID
		buyer := "Mallory@Example.com"
		txID := e.paid(tok, site, "d-1", buyer)

		// Refused input, other organizations and modes.
		expect(t, e.do("POST", "/api/v1/transactions/"+txID+"/disputes", tok, `{"amount":101}`), 422, "validation_error")
		expect(t, e.do("POST", "/api/v1/transactions/"+txID+"/disputes", tok, `{"reason":"`+strings.Repeat("x", 201)+`"}`), 422, "validation_error")
		expect(t, e.do("POST", "/api/v1/transactions/"+txID+"/disputes", tok, `{"status":"maybe"}`), 422, "validation_error")
		expect(t, e.do("POST", "/api/v1/transactions/"+txID+"/disputes", e.b.Token, `{}`), 404, "not_found")

		expect(t, e.do("POST", "/api/v1/sites/"+site+"/webhook-endpoints", tok,
			`{"url":"https://hooks.example/disputes","events":["dispute.created","dispute.closed"]}`), 201, "")
		opened := e.do("POST", "/api/v1/transactions/"+txID+"/disputes", tok, `{"reason":"fraudulent"}`)
		expect(t, opened, 201, "")
		dID := opened.body["id"].(string)
		if opened.body["status"] != "open" || opened.body["amount"] != float64(100) {
			t.Fatalf("dispute %s", opened.raw)
		}
		expect(t, e.do("POST", "/api/v1/transactions/"+txID+"/disputes", tok, `{}`), 409, "dispute_open")
		if tx, _ := s.GetTransaction(ctx, e.a.Organization.ID, txID); tx.Status != "chargeback" {
			t.Fatalf("transaction %s", tx.Status)
		}
		// The customer cannot check out again while the dispute is open.
		again := e.do("POST", "/api/v1/checkouts/"+site+"/create", tok, `{"amount":100,"currency":"EUR","externalReference":"d-2","email":"mallory@example.com"}`)
		expect(t, again, 403, "CHECKOUT_BLOCKED_BY_DISPUTE")

		// v1: every change is an IPN with disputeStatus and disputeId.
		review := e.do("PATCH", "/api/v1/transactions/"+txID+"/chargeback/"+dID, tok, `{"status":"under_review"}`)
		expect(t, review, 200, "")
		expect(t, e.do("PATCH", "/api/v1/transactions/"+txID+"/disputes/"+dID, tok, `{"amount":5,"status":"won"}`), 422, "validation_error")
		expect(t, e.do("PATCH", "/api/v1/transactions/"+txID+"/disputes/dsp_nope", tok, `{"status":"won"}`), 404, "not_found")
		lost := e.do("PATCH", "/api/v1/transactions/"+txID+"/disputes/"+dID, tok, `{"status":"lost"}`)
		expect(t, lost, 200, "")
		expect(t, e.do("PATCH", "/api/v1/transactions/"+txID+"/disputes/"+dID, tok, `{"status":"won"}`), 409, "dispute_final")
		// Typed events to the endpoint that subscribed: created and closed, not updated.
		var events []string
		for _, dl := range e.do("GET", "/api/v1/deliveries?limit=100", tok, "").body["data"].([]any) {
			dl := dl.(map[string]any)
			if dl["sink"] == "webhook" && dl["target"] == "https://hooks.example/disputes" {
				b := dl["body"].(map[string]any)
				obj := b["data"].(map[string]any)["object"].(map[string]any)
				events = append(events, fmt.Sprintf("%v:%v", b["type"], obj["status"]))
			}
		}
		if fmt.Sprint(events) != "[dispute.closed:lost dispute.created:open]" {
			t.Fatalf("dispute events %v", events)
		}
		ipns := e.ipnBodies(tok, txID)
		var trail []string
		for _, b := range ipns {
			trail = append(trail, fmt.Sprintf("%v/%v/%v", b["status"], b["disputeStatus"], b["disputeId"] == dID))
		}
		if fmt.Sprint(trail) != "[-1/<nil>/false 1/<nil>/false 4/open/true 4/under_review/true 4/lost/true]" {
			t.Fatalf("v1 IPN trail %v", trail)
		}

		// The lost dispute held the customer: checkouts are refused with the hold.
		held := e.do("POST", "/api/v1/checkouts/"+site+"/create", tok, `{"amount":100,"currency":"EUR","externalReference":"d-3","email":"MALLORY@example.com"}`)
		expect(t, held, 403, "CHECKOUT_BLOCKED_BY_CUSTOMER_HOLD")
		hold := held.body["customerRiskHold"].(map[string]any)
		if hold["action"] != "block_all" || hold["reason"] != "lost_dispute" || held.body["customerRiskHoldId"] != hold["id"] ||
			held.body["customerRiskAction"] != "block_all" {
			t.Fatalf("refusal %s", held.raw)
		}
		list := e.do("GET", "/api/v1/customer-risk-holds?email=mallory@example.com", tok, "")
		expect(t, list, 200, "")
		if list.body["total"] != float64(1) {
			t.Fatalf("holds %s", list.raw)
		}
		expect(t, e.do("GET", "/api/v1/customer-risk-holds", e.b.Token, ""), 200, "")
		expect(t, e.do("DELETE", "/api/v1/customer-risk-holds/"+hold["id"].(string), e.b.Token, ""), 404, "not_found")
		if r := e.do("DELETE", "/api/v1/customer-risk-holds/"+hold["id"].(string), tok, ""); r.status != 204 {
			t.Fatalf("delete %d %s", r.status, r.raw)
		}
		expect(t, e.do("POST", "/api/v1/checkouts/"+site+"/create", tok, `{"amount":100,"currency":"EUR","externalReference":"d-4","email":"mallory@example.com"}`), 200, "")

		// allow_provider_types: wire is not offered here, so the checkout is refused;
		// sandbox is, so the checkout is made and restricted to it.
		expect(t, e.do("POST", "/api/v1/customer-risk-holds", tok, `{"email":"w@example.com","action":"allow_provider_types","allowedProviderTypes":["wire"],"reason":"bank only"}`), 201, "")
		restricted := e.do("POST", "/api/v1/checkouts/"+site+"/create", tok, `{"amount":100,"currency":"EUR","externalReference":"w-1","email":"w@example.com"}`)
		expect(t, restricted, 403, "CHECKOUT_RESTRICTED_BY_CUSTOMER_HOLD")
		if fmt.Sprint(restricted.body["allowedProviderTypes"]) != "[wire]" {
			t.Fatalf("restricted %s", restricted.raw)
		}
		expect(t, e.do("POST", "/api/v1/customer-risk-holds", tok, `{"clientId":"c-9","action":"allow_provider_types","allowedProviderTypes":["sandbox"],"reason":"cards only"}`), 201, "")
		ok := e.do("POST", "/api/v1/checkouts/"+site+"/create", tok, `{"amount":100,"currency":"EUR","externalReference":"c-1","clientId":"c-9"}`)
		expect(t, ok, 200, "")
		if c, _ := s.GetCheckout(ctx, e.a.Organization.ID, ok.body["id"].(string)); c.AllowedProviderTypes != "sandbox" {
			t.Fatalf("restriction %q", c.AllowedProviderTypes)
		}

		// A buyer who types a held email on the page cannot pay.
		expect(t, e.do("POST", "/api/v1/customer-risk-holds", tok, `{"email":"typed@example.com","action":"manual_review","reason":"operator"}`), 201, "")
		open := e.do("POST", "/api/v1/checkouts/"+site+"/create", tok, `{"amount":100,"currency":"EUR","externalReference":"t-1"}`)
		expect(t, open, 200, "")
		c, err := s.GetCheckout(ctx, e.a.Organization.ID, open.body["id"].(string))
		storetest.Must(t, err, "checkout")
		_, err = payment.New(s).Pay(ctx, c, payment.Attempt{ProviderID: e.a.Provider.ID, CardNumber: "4242424242424242",
			ExpMonth: 1, ExpYear: 2035, CVC: "123", CardName: "A", Billing: &checkout.Address{Email: "Typed@Example.com"}})
		var ref *risk.Refusal
		if !errors.As(err, &ref) || ref.Code != risk.CodePaymentBlockedHold {
			t.Fatalf("payment by a held email: %v", err)
		}

		// Limits and refused holds.
		for _, bad := range []string{
			`{"action":"block_all","reason":"x"}`,
			`{"email":"not an email","action":"block_all","reason":"x"}`,
			`{"email":"a@example.com","action":"ban","reason":"x"}`,
			`{"email":"a@example.com","action":"block_all"}`,
			`{"email":"a@example.com","action":"allow_provider_types","reason":"x"}`,
			`{"email":"a@example.com","action":"allow_provider_types","allowedProviderTypes":["paypal"],"reason":"x"}`,
			`{"email":"a@example.com","action":"block_all","allowedProviderTypes":["wire"],"reason":"x"}`,
			`{"email":"a@example.com","action":"block_all","reason":"` + strings.Repeat("x", 201) + `"}`,
			`{"email":"a@example.com","action":"allow_provider_types","allowedProviderTypes":["wire","wire","wire","wire","wire","wire","wire","wire","wire","wire","wire"],"reason":"x"}`,
		} {
			expect(t, e.do("POST", "/api/v1/customer-risk-holds", tok, bad), 422, "validation_error")
		}
		noClient := e.key(e.a.Organization.ID, "checkout:create")
		expect(t, e.do("GET", "/api/v1/customer-risk-holds", noClient, ""), 403, "")
	})
}

func TestWonDisputeOnV2(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		tok := e.a.Token
		created := e.do("POST", "/api/v1/sites", tok, `{"displayName":"V2"}`)
		expect(t, created, 201, "")
		site := created.body["id"].(string)
		e.sandbox(site)
		txID := e.paid(tok, site, "won-1", "w@example.com")
		d := e.do("POST", "/api/v1/transactions/"+txID+"/disputes", tok, `{"amount":40}`)
		expect(t, d, 201, "")
		expect(t, e.do("PATCH", "/api/v1/transactions/"+txID+"/disputes/"+d.body["id"].(string), tok, `{"status":"won"}`), 200, "")
		if tx, _ := s.GetTransaction(ctx, e.a.Organization.ID, txID); tx.Status != "succeeded" {
			t.Fatalf("after a won dispute: %s", tx.Status)
		}
		// v2: the chargeback is status 4; winning sends no new status.
		var statuses []any
		for _, b := range e.ipnBodies(tok, txID) {
			checkIPNv2(t, b)
			statuses = append(statuses, b["status"])
		}
		if fmt.Sprint(statuses) != "[-1 1 4]" {
			t.Fatalf("v2 statuses %v", statuses)
		}
	})
}

// Each new collection has a bound, and going past it is a clear 409.
func TestSiteHoldAndDisputeLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		tok := e.a.Token
		for i := 1; i < 100; i++ { // the bootstrap made the first
			site := &tenant.Site{ID: fmt.Sprintf("site_limit%03d", i), OrganizationID: e.a.Organization.ID, Slug: fmt.Sprintf("s%d", i),
				DisplayName: "S", WebhookSecret: "whsec_x", AmountUnits: "minor", DefaultExpirySeconds: 3600,
				CreatedAt: store.TimeNow(), UpdatedAt: store.TimeNow()}
			storetest.Must(t, s.CreateSite(ctx, site), "site %d", i)
		}
		expect(t, e.do("POST", "/api/v1/sites", tok, `{"displayName":"One too many"}`), 409, "limit_reached")
		expect(t, e.do("POST", "/api/v1/sites", e.b.Token, `{"displayName":"Other org"}`), 201, "")

		_, err := s.Bun().NewRaw(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
INSERT INTO customer_risk_holds (id, organization_id, email, client_id, action, allowed_provider_types, reason, dispute_id, created_by, created_at)
SELECT 'hold_l' || i, ?, 'c' || i || '@example.com', '', 'block_all', '', 'x', '', 'test', ? FROM n`,
			store.MaxHolds, e.a.Organization.ID, store.TimeNow()).Exec(ctx)
		storetest.Must(t, err, "holds")
		expect(t, e.do("POST", "/api/v1/customer-risk-holds", tok, `{"email":"one@example.com","action":"block_all","reason":"x"}`), 409, "limit_reached")

		txID := e.paid(tok, e.a.Site.ID, "lim-1", "")
		for range 10 {
			d := e.do("POST", "/api/v1/transactions/"+txID+"/disputes", tok, `{}`)
			expect(t, d, 201, "")
			expect(t, e.do("PATCH", "/api/v1/transactions/"+txID+"/disputes/"+d.body["id"].(string), tok, `{"status":"won"}`), 200, "")
		}
		expect(t, e.do("POST", "/api/v1/transactions/"+txID+"/disputes", tok, `{}`), 409, "limit_reached")
	})
}
