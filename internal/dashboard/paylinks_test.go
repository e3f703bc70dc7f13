package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/paylink"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestReusableLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		editor := w.signIn("editor")
		form := url.Values{"name": {"Tickets"}, "site": {w.acme.Site.ID}, "currency": {"EUR"}, "mode": {"test"}, "kind": {"items"},
			"item-name-0": {"Ticket"}, "item-price-0": {"45.00"}, "item-qty-0": {"1"}, "item-adjustable-0": {"1"},
			"maxPayments": {"2"}, "ends": {"2099-12-31"}}
		r := editor.post("/dashboard/links/reusable", form)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/dashboard/links/plink_") {
			t.Fatalf("create: %d %s %s", r.status, r.location, r.body)
		}
		page := editor.get(r.location)
		if page.status != 200 || !strings.Contains(page.body, w.front+"/l/") || !strings.Contains(page.body, `id="link-payments">0 of 2<`) {
			t.Fatalf("link page %d", page.status)
		}
		// A customer pays through it: the link's page counts it.
		id := strings.TrimPrefix(r.location, "/dashboard/links/")
		l, err := s.GetPaymentLink(context.Background(), w.acme.Organization.ID, "", id)
		storetest.Must(t, err, "link")
		c, err := checkouts.New(s, payment.New(s), 0, nil).FromLink(context.Background(), l, paylink.Choice{Quantities: []int64{2}})
		storetest.Must(t, err, "use")
		_, err = payment.New(s).Pay(context.Background(), c, payment.Attempt{ProviderID: w.acme.Provider.ID, CardNumber: "4242424242424242",
			ExpMonth: 12, ExpYear: 2040, CVC: "123", CardName: "Ana Ruiz"})
		storetest.Must(t, err, "pay")
		page = editor.get(r.location)
		if !strings.Contains(page.body, `id="link-payments">1 of 2<`) || !strings.Contains(page.body, `id="link-volume">€90.00<`) || !strings.Contains(page.body, c.ID) {
			t.Fatalf("after a payment the page shows %s", page.body[strings.Index(page.body, "link-payments"):][:200])
		}
		if list := editor.get("/dashboard/links"); !strings.Contains(list.body, "Tickets") || !strings.Contains(list.body, "1 of 2") {
			t.Fatal("the list does not show the link")
		}
		// Refused forms keep what was typed.
		for field, bad := range map[string]string{"item-price-0": "free", "maxPayments": "-3", "ends": "2001-01-01", "name": ""} {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			f.Set(field, bad)
			if r := editor.post("/dashboard/links/reusable", f); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `class="alert error"`) {
				t.Errorf("%s=%q: %d", field, bad, r.status)
			}
		}
		custom := url.Values{"name": {"Donation"}, "site": {w.acme.Site.ID}, "currency": {"EUR"}, "mode": {"test"}, "kind": {"custom"}, "min": {"5"}, "max": {"500"}}
		if r := editor.post("/dashboard/links/reusable", custom); r.status != http.StatusSeeOther {
			t.Errorf("a custom amount link: %d %s", r.status, r.body)
		}
		// Viewers see, editors deactivate; other organizations see nothing.
		viewer := w.signIn("viewer")
		if r := viewer.post(r.location+"/deactivate", nil); r.status != http.StatusForbidden {
			t.Errorf("a viewer deactivates: %d", r.status)
		}
		if r := w.signIn("other").get(r.location); r.status != http.StatusNotFound {
			t.Errorf("another organization opens the link: %d", r.status)
		}
		if r := editor.post(r.location+"/deactivate", nil); r.status != http.StatusSeeOther {
			t.Fatalf("deactivate: %d", r.status)
		}
		if page := editor.get(r.location); !strings.Contains(page.body, `id="link-state">inactive<`) {
			t.Error("the link is not shown as inactive")
		}
	})
}
