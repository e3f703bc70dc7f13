package adminapi_test

import (
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tenant"
)

// A site that has not said how amounts are written takes two-decimal
// currencies as always, and refuses others with a message that names the
// setting and both readings; nothing is written.
func TestAmountUnitsRequired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		if _, err := s.Bun().NewUpdate().Table("sites").Set("amount_units = ''").Where("id = ?", e.a.Site.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/checkouts/" + e.a.Site.ID + "/create"
		expect(t, e.do("POST", path, e.a.Token, `{"amount":4900,"currency":"EUR","externalReference":"eur"}`), 200, "")
		before := e.count(e.a.Organization.ID)
		for _, cur := range []string{"JPY", "KWD", "CLF"} {
			r := e.do("POST", path, e.a.Token, `{"amount":737600,"currency":"`+cur+`","externalReference":"x"}`)
			expect(t, r, 422, "amount_units_required")
			msg := r.body["error"].(string)
			for _, want := range []string{"amountUnits", `"minor"`, `"cents"`, "737600", cur, "official shop plugins", "pgw sites update"} {
				if !strings.Contains(msg, want) {
					t.Fatalf("%s: message %q lacks %q", cur, msg, want)
				}
			}
		}
		if after := e.count(e.a.Organization.ID); after != before {
			t.Fatalf("refused checkouts were written: %d -> %d", before, after)
		}
		cents := tenant.UnitsCents
		_, err := s.UpdateSite(ctx, e.a.Organization.ID, e.a.Site.ID, store.SiteSettings{AmountUnits: &cents})
		storetest.Must(t, err, "set cents")
		r := e.do("POST", path, e.a.Token, `{"amount":737600,"currency":"JPY","externalReference":"jp"}`)
		expect(t, r, 200, "")
		if r.body["amount"].(float64) != 7376 {
			t.Fatalf("JPY in cents: %s", r.raw)
		}
	})
}

// Only the request's own amounts must be numbers: a merchant's metadata may
// hold anything called amount.
func TestMetadataAmountMayBeText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		r := e.do("POST", "/api/v1/checkouts/"+e.a.Site.ID+"/create", e.a.Token,
			`{"amount":4900,"currency":"EUR","externalReference":"m","metadata":{"amount":"49.00","unitPrice":"x"}}`)
		expect(t, r, 200, "")
	})
}
