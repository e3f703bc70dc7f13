package dashboard_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestClientPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		w.paid(w.acme, "cl-1")
		w.paid(w.acme, "cl-2") // the same buyer@example.com
		w.paid(w.other, "cl-other")
		viewer := w.signIn("viewer")
		r := viewer.get("/dashboard/clients?mode=test")
		if r.status != 200 || strings.Count(r.body, `href="/dashboard/clients/cli_`) != 1 || !strings.Contains(r.body, "€50.00") {
			t.Fatalf("clients page %d", r.status)
		}
		key := checkout.ClientKey(w.acme.Organization.ID, "", "buyer@example.com", nil)
		page := viewer.get("/dashboard/clients/" + key + "?mode=test")
		if page.status != 200 || !strings.Contains(page.body, `id="client-lifetime">€50.00<`) || strings.Count(page.body, `href="/dashboard/checkouts/co_`) != 2 {
			t.Fatalf("client page %d", page.status)
		}
		if r := viewer.get("/dashboard/clients"); strings.Contains(r.body, "cli_") {
			t.Error("live clients show test buyers")
		}
		if r := w.signIn("other").get("/dashboard/clients/" + key + "?mode=test"); r.status != http.StatusNotFound {
			t.Errorf("another organization opens the client: %d", r.status)
		}
		if r := viewer.get("/dashboard/clients?mode=staging"); r.status != http.StatusBadRequest {
			t.Errorf("a bad mode: %d", r.status)
		}
	})
}
