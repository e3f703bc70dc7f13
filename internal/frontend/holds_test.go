package frontend_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/risk"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// A buyer who types a held email on the page cannot pay with it; nothing is
// charged, and the same page without that email pays.
func TestHeldEmailTypedOnThePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		st := newSite(t, s, "Held")
		storetest.Must(t, s.CreateHold(ctx, &risk.Hold{ID: ids.New("hold"), OrganizationID: st.r.Organization.ID,
			Email: "Fraud@Example.com", Action: risk.BlockAll, Reason: "lost_dispute", CreatedBy: "test", CreatedAt: store.TimeNow()}), "hold")
		c := st.checkout(checkout.ModeTest, `{"amount":500,"currency":"EUR","externalReference":"h-1"}`)
		path := "/checkout/" + c.ShortCode
		_, page := st.get(path)
		if !strings.Contains(page, `name="email"`) {
			t.Fatal("a checkout without an email does not ask for one")
		}
		f := form(page, "4242 4242 4242 4242")
		f.Set("email", "not an email")
		if resp, body := st.post(path+"/pay", f); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "check the email") {
			t.Fatalf("a malformed email: %d", resp.StatusCode)
		}
		f.Set("email", "fraud@example.com")
		resp, body := st.post(path+"/pay", f)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "cannot be taken here") {
			t.Fatalf("a held email: %d %.300s", resp.StatusCode, body)
		}
		if got, _ := s.GetCheckout(ctx, st.r.Organization.ID, c.ID); len(got.Transactions) != 0 {
			t.Fatalf("a held buyer's attempt was recorded: %+v", got.Transactions)
		}
		f.Set("email", "someone@example.com")
		if resp, body := st.post(path+"/pay", f); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("another email: %d %.300s", resp.StatusCode, body)
		}
	})
}
