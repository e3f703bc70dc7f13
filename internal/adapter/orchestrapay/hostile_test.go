package orchestrapay_test

import (
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// Lists are refused at their limit and big or exponent numbers before any of
// them is parsed as a number; nothing is written.
func TestHostileBodiesRefusedEarly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		item := `{"name":"x","price":"1e999999","quantity":"1e999999"},`
		for name, body := range map[string]string{
			"201 line items":  `{"amount":1000,"currency":"USD","line_items":[` + strings.TrimSuffix(strings.Repeat(`{"name":"x","price":1,"quantity":1},`, 201), ",") + `]}`,
			"exponent price":  `{"amount":1000,"currency":"USD","line_items":[{"name":"x","price":1e999999,"quantity":1}]}`,
			"price a string":  `{"amount":1000,"currency":"USD","line_items":[{"name":"x","price":"1000","quantity":1}]}`,
			"amount a string": `{"amount":"10.00","currency":"USD"}`,
			"11 webhook URLs": `{"amount":1000,"currency":"USD","webhook_urls":[` + strings.TrimSuffix(strings.Repeat(`"https://a.example/",`, 11), ",") + `]}`,
			"1 MiB of items":  `{"amount":1000,"currency":"USD","line_items":[` + strings.Repeat(item, (1<<20)/len(item)-1) + `{}]}`,
		} {
			status, m, raw := e.call("POST", "/checkout-intents", body)
			if status != 400 && status != 413 {
				t.Errorf("%s: %d %.200s", name, status, raw)
			}
			if status == 400 && m["code"] != "validation_error" {
				t.Errorf("%s: %v", name, m["code"])
			}
		}
		if _, total, err := s.ListCheckouts(ctx, store.CheckoutFilter{OrganizationID: e.r.Organization.ID, Page: 1, Limit: 10}); err != nil || total != 0 {
			t.Fatalf("refused requests wrote %d checkouts (%v)", total, err)
		}
	})
}
