package adminapi_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestDeliveriesAndSiteNotifications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		site := "/api/v1/sites/" + e.a.Site.ID

		// Webhook endpoints: create, list, refuse bad input, delete; another
		// organization sees none of it.
		r := e.do("POST", site+"/webhook-endpoints", e.a.Token, `{"url":"https://hooks.example/pgw","events":["checkout.completed","transaction.succeeded"]}`)
		expect(t, r, 201, "")
		epID := r.body["id"].(string)
		expect(t, e.do("POST", site+"/webhook-endpoints", e.a.Token, `{"url":"https://hooks.example","events":["payment.done"]}`), 422, "validation_error")
		expect(t, e.do("POST", site+"/webhook-endpoints", e.a.Token, `{"url":"ftp://hooks.example"}`), 422, "validation_error")
		expect(t, e.do("GET", site+"/webhook-endpoints", e.b.Token, ""), 404, "not_found")
		expect(t, e.do("POST", site+"/webhook-endpoints", e.b.Token, `{"url":"https://evil.example"}`), 404, "not_found")
		list := e.do("GET", site+"/webhook-endpoints", e.a.Token, "")
		if data := list.body["data"].([]any); len(data) != 1 || data[0].(map[string]any)["url"] != "https://hooks.example/pgw" {
			t.Fatalf("endpoints %s", list.raw)
		}

		// A paid checkout with an ipnUrl makes IPN and webhook deliveries.
		created := e.do("POST", "/api/v1/checkouts/"+e.a.Site.ID+"/create", e.a.Token,
			`{"amount":100,"currency":"EUR","externalReference":"n-1","ipnUrl":"https://shop.example/ipn"}`)
		expect(t, created, 200, "")
		c, err := s.GetCheckout(ctx, e.a.Organization.ID, created.body["id"].(string))
		storetest.Must(t, err, "checkout")
		res, err := payment.New(s).Pay(ctx, c, payment.Attempt{ProviderID: e.a.Provider.ID, CardNumber: "4242424242424242",
			ExpMonth: 1, ExpYear: 2035, CVC: "123", CardName: "A"})
		storetest.Must(t, err, "pay")
		txID := res.Transaction.ID

		all := e.do("GET", "/api/v1/deliveries?checkoutId="+c.ID, e.a.Token, "")
		expect(t, all, 200, "")
		if all.body["total"].(float64) != 4 { // IPN initiated + succeeded, webhook transaction.succeeded + checkout.completed
			t.Fatalf("deliveries %s", all.raw)
		}
		ipns := e.do("GET", "/api/v1/deliveries?transactionId="+txID+"&status=pending", e.a.Token, "")
		if ipns.body["total"].(float64) != 3 {
			t.Fatalf("transaction deliveries %s", ipns.raw)
		}
		var one map[string]any
		for _, d := range all.body["data"].([]any) {
			d := d.(map[string]any)
			if d["sink"] == "ipn" && strings.Contains(string(mustJSON(d["body"])), `"status":1`) {
				one = d
			}
		}
		if one == nil || one["target"] != "https://shop.example/ipn" ||
			!strings.Contains(string(all.raw), `"body":{"id":"`+txID+`","externalReference":"n-1","status":1}`) {
			t.Fatalf("IPN delivery %v", one)
		}
		got := e.do("GET", "/api/v1/deliveries/"+one["id"].(string), e.a.Token, "")
		expect(t, got, 200, "")
		expect(t, e.do("GET", "/api/v1/deliveries/"+one["id"].(string), e.b.Token, ""), 404, "not_found")
		expect(t, e.do("GET", "/api/v1/deliveries?status=lost", e.a.Token, ""), 400, "invalid_request")
		re := e.do("POST", "/api/v1/deliveries/"+one["id"].(string)+"/redeliver", e.a.Token, "")
		expect(t, re, 200, "")
		if re.body["status"] != "pending" {
			t.Fatalf("redeliver %s", re.raw)
		}
		expect(t, e.do("POST", "/api/v1/deliveries/"+one["id"].(string)+"/redeliver", e.b.Token, ""), 404, "not_found")

		// Rotation: a new secret, the old one signing beside it for the overlap.
		rot := e.do("POST", site+"/webhook-secret/regenerate", e.a.Token, "")
		expect(t, rot, 200, "")
		newSecret := rot.body["webhookSecret"].(string)
		if !strings.HasPrefix(newSecret, "whsec_") || newSecret == e.a.Site.WebhookSecret {
			t.Fatalf("rotation %s", rot.raw)
		}
		until, _ := time.Parse(time.RFC3339, rot.body["previousSecretValidUntil"].(string))
		st, _ := s.GetSite(ctx, e.a.Organization.ID, e.a.Site.ID)
		cur, prev := st.SigningSecrets(time.Now())
		if cur != newSecret || prev != e.a.Site.WebhookSecret || until.Before(time.Now()) {
			t.Fatalf("secrets after rotation: %q %q until %v", cur, prev, until)
		}
		expect(t, e.do("POST", "/api/v1/sites/"+e.b.Site.ID+"/webhook-secret/regenerate", e.a.Token, ""), 404, "not_found")

		// Scopes are checked.
		ro, roToken := auth.NewKey(e.a.Organization.ID, "ro", checkout.ModeTest, []string{"checkout:read"}, store.TimeNow())
		storetest.Must(t, s.CreateAPIKey(ctx, ro), "key")
		expect(t, e.do("GET", "/api/v1/deliveries", roToken, ""), 403, "forbidden")
		expect(t, e.do("POST", site+"/webhook-secret/regenerate", roToken, ""), 403, "forbidden")

		r = e.do("DELETE", site+"/webhook-endpoints/"+epID, e.a.Token, "")
		if r.status != 204 {
			t.Fatalf("delete: %d", r.status)
		}
		expect(t, e.do("DELETE", site+"/webhook-endpoints/"+epID, e.a.Token, ""), 404, "not_found")
	})
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
