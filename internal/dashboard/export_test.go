package dashboard_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func TestListsSearchAndExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		w.paid(w.acme, "exp-1")
		w.paid(w.acme, "=HYPERLINK(1)")
		w.createCheckoutWith(w.acme, `{"amount":990,"currency":"EUR","externalReference":"exp-3","email":"zoe@example.com"}`)
		w.paid(w.other, "exp-other")
		viewer := w.signIn("viewer")

		// Transactions: the order reference in each row, and search by it,
		// by amount and by provider.
		for q, want := range map[string]int{"exp-1": 1, "EXP": 1, "25.00": 2, w.acme.Provider.ID: 2, "nothing": 0} {
			r := viewer.get("/dashboard/transactions?q=" + q)
			if n := strings.Count(r.body, `href="/dashboard/checkouts/co_`); r.status != 200 || n != want {
				t.Errorf("transactions ?q=%s: %d rows (status %d), want %d", q, n, r.status, want)
			}
		}
		if r := viewer.get("/dashboard/transactions"); !strings.Contains(r.body, ">exp-1</a>") {
			t.Error("the transaction list does not show the order reference")
		}
		for q, want := range map[string]int{"9.90": 1, "25.00": 2, "zoe@": 1} {
			if r := viewer.get("/dashboard/checkouts?q=" + q); strings.Count(r.body, `href="/dashboard/checkouts/co_`) != want {
				t.Errorf("checkouts ?q=%s: want %d rows", q, want)
			}
		}
		today := time.Now().UTC().Format(time.DateOnly)
		for path, want := range map[string]int{
			"/dashboard/checkouts?from=" + today + "&to=" + today: 3,
			"/dashboard/checkouts?to=2020-01-01":                  0,
			"/dashboard/transactions?from=2099-01-01":             0,
		} {
			r := viewer.get(path)
			if n := strings.Count(r.body, `href="/dashboard/checkouts/co_`); n != want {
				t.Errorf("%s: %d rows, want %d", path, n, want)
			}
		}
		for _, bad := range []string{"/dashboard/checkouts?from=yesterday", "/dashboard/transactions?from=2026-02-01&to=2026-01-01"} {
			if r := viewer.get(bad); r.status != http.StatusBadRequest {
				t.Errorf("%s: %d", bad, r.status)
			}
		}

		// The export is what the filter shows, UTF-8 with a BOM, amounts as
		// decimals, formulas kept as text.
		r := viewer.get("/dashboard/checkouts/export.csv?status=complete")
		if r.status != 200 || !strings.HasPrefix(r.body, "\ufeff") {
			t.Fatalf("export %d %q", r.status, r.body[:min(20, len(r.body))])
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff"))).ReadAll()
		storetest.Must(t, err, "parse the CSV")
		if len(rows) != 3 || rows[0][0] != "id" || rows[0][7] != "amount" {
			t.Fatalf("export rows %v", rows)
		}
		refs := map[string]bool{}
		for _, row := range rows[1:] {
			refs[row[1]] = true
			if row[7] != "25.00" || row[8] != "EUR" || row[6] != "complete" {
				t.Errorf("row %v", row)
			}
		}
		if !refs["exp-1"] || !refs["'=HYPERLINK(1)"] {
			t.Errorf("references %v", refs)
		}
		r = viewer.get("/dashboard/transactions/export.csv")
		rows, err = csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff"))).ReadAll()
		storetest.Must(t, err, "parse the transactions CSV")
		if len(rows) != 3 || rows[0][2] != "order" {
			t.Fatalf("transactions export %v", rows)
		}
		if r := viewer.get("/dashboard/checkouts/export.csv?status=bogus"); r.status != http.StatusBadRequest {
			t.Errorf("a bad export filter: %d", r.status)
		}
		if r := w.client().get("/dashboard/checkouts/export.csv"); r.status != http.StatusSeeOther {
			t.Errorf("a signed-out export: %d", r.status)
		}
	})
}
