package adminapi_test

import (
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestTaxSettingsAndRatesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		tok := e.a.Token
		got := e.do("GET", "/api/v1/organizations/settings/tax", tok, "")
		expect(t, got, 200, "")
		if got.body["enabled"] != false || got.body["rounding"] != "line" || got.body["viesCheck"] != "format" {
			t.Fatalf("defaults %s", got.raw)
		}
		expect(t, e.do("PUT", "/api/v1/organizations/settings/tax", tok, `{"enabled":true}`), 422, "validation_error")
		expect(t, e.do("PUT", "/api/v1/organizations/settings/tax", tok, `{"enabled":true,"sellerCountry":"DE","sellerVatId":"FR40303265045"}`), 422, "validation_error")
		put := e.do("PUT", "/api/v1/organizations/settings/tax", tok,
			`{"enabled":true,"sellerCountry":"de","sellerVatId":"DE 123456789","ossRegistered":true,"registrations":["gb","CH","GB"],"rounding":"total","viesCheck":"vies"}`)
		expect(t, put, 200, "")
		again := e.do("GET", "/api/v1/organizations/settings/tax", tok, "")
		if again.body["sellerCountry"] != "DE" || again.body["sellerVatId"] != "DE123456789" || again.body["rounding"] != "total" ||
			!strings.Contains(string(again.raw), `"registrations":["CH","GB"]`) || again.body["updatedAt"] == nil {
			t.Fatalf("saved %s", again.raw)
		}
		if other := e.do("GET", "/api/v1/organizations/settings/tax", e.b.Token, ""); other.body["enabled"] != false {
			t.Fatalf("another organization sees the settings: %s", other.raw)
		}
		ro := e.key(e.a.Organization.ID, "organization:read")
		expect(t, e.do("PUT", "/api/v1/organizations/settings/tax", ro, `{}`), 403, "")

		created := e.do("POST", "/api/v1/tax-rates", tok, `{"country":"us","region":"ca","rate":"7.25","effectiveFrom":"2026-01-01"}`)
		expect(t, created, 201, "")
		id := created.body["id"].(string)
		if created.body["country"] != "US" || created.body["region"] != "CA" || created.body["category"] != "standard" || created.body["rate"] != "7.25" {
			t.Fatalf("created %s", created.raw)
		}
		expect(t, e.do("POST", "/api/v1/tax-rates", tok, `{"country":"CA","region":"QC","rate":14.975,"effectiveFrom":"2026-01-01T00:00:00Z"}`), 201, "")
		for _, bad := range []string{
			`{"country":"USA","rate":"5","effectiveFrom":"2026-01-01"}`,
			`{"country":"US","rate":"5"}`,
			`{"country":"US","rate":"150","effectiveFrom":"2026-01-01"}`,
			`{"country":"US","rate":"abc","effectiveFrom":"2026-01-01"}`,
			`{"country":"US","rate":"5","category":"luxury","effectiveFrom":"2026-01-01"}`,
		} {
			if r := e.do("POST", "/api/v1/tax-rates", tok, bad); r.status != 422 && r.status != 400 {
				t.Fatalf("%s: %d %s", bad, r.status, r.raw)
			}
		}
		list := e.do("GET", "/api/v1/tax-rates?country=us", tok, "")
		expect(t, list, 200, "")
		if n := len(list.body["data"].([]any)); n != 1 {
			t.Fatalf("US rates %s", list.raw)
		}
		expect(t, e.do("PUT", "/api/v1/tax-rates/"+id, tok, `{"country":"US","region":"CA","rate":"7.5","effectiveFrom":"2026-01-01"}`), 200, "")
		expect(t, e.do("PUT", "/api/v1/tax-rates/"+id, e.b.Token, `{"country":"US","region":"CA","rate":"1","effectiveFrom":"2026-01-01"}`), 404, "not_found")
		expect(t, e.do("DELETE", "/api/v1/tax-rates/"+id, e.b.Token, ""), 404, "not_found")
		if r := e.do("DELETE", "/api/v1/tax-rates/"+id, tok, ""); r.status != 204 {
			t.Fatalf("delete %d", r.status)
		}
		if list := e.do("GET", "/api/v1/tax-rates", tok, ""); len(list.body["data"].([]any)) != 1 {
			t.Fatalf("after delete %s", list.raw)
		}
	})
}
