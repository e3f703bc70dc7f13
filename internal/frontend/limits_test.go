package frontend_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/adapter/intandem"
	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

func attempts(t *testing.T, s *store.Store, c *checkout.Checkout) int {
	t.Helper()
	got, err := s.GetCheckout(ctx, c.OrganizationID, c.ID)
	storetest.Must(t, err, "checkout")
	return len(got.Transactions)
}

// Card testing on the hosted form: declines per checkout, per client address
// and per site stop at their limits with a friendly page and a 429, and a
// refused try writes nothing.
func TestPaymentAttemptLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		st := newSite(t, s, "Limited", func(c *config.Config) {
			c.Limits = config.Limits{Window: 15 * time.Minute, AttemptsPerCheckout: 3, AttemptsPerClient: 5, AttemptsPerSite: 7}
			c.HTTP.TrustedProxies = []string{"127.0.0.1/32"}
		})
		body := `{"amount":1000,"currency":"EUR","externalReference":"card-test","items":[{"name":"Gift card","unitPrice":1000}]}`
		declineFrom := func(c *checkout.Checkout, addr string) (*http.Response, string) {
			_, page := st.get("/checkout/" + c.ShortCode)
			return st.post("/checkout/"+c.ShortCode+"/pay", form(page, "4000 0000 0000 0002"), "X-Forwarded-For", addr)
		}
		one := st.checkout(checkout.ModeTest, body)
		for i := range 3 {
			if resp, _ := declineFrom(one, "203.0.113.1"); resp.StatusCode != http.StatusPaymentRequired {
				t.Fatalf("decline %d: %d", i+1, resp.StatusCode)
			}
		}
		resp, page := declineFrom(one, "203.0.113.2")
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" ||
			!strings.Contains(page, "Too many payment attempts") || !strings.Contains(page, "Nothing was charged") {
			t.Fatalf("past the checkout's limit: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		if n := attempts(t, s, one); n != 3 {
			t.Fatalf("the refused try wrote an attempt: %d", n)
		}
		// Per client: .1 has used 3 of 5 on another checkout.
		two := st.checkout(checkout.ModeTest, body)
		for i := range 2 {
			if resp, _ := declineFrom(two, "203.0.113.1"); resp.StatusCode != http.StatusPaymentRequired {
				t.Fatalf("client decline %d: %d", i+4, resp.StatusCode)
			}
		}
		if resp, _ := declineFrom(two, "203.0.113.1"); resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("past the client's limit: %d", resp.StatusCode)
		}
		// Per site: 5 so far, 2 more from anywhere, then the site is paused.
		three := st.checkout(checkout.ModeTest, body)
		for i, addr := range []string{"198.51.100.1", "198.51.100.2"} {
			if resp, _ := declineFrom(three, addr); resp.StatusCode != http.StatusPaymentRequired {
				t.Fatalf("site decline %d: %d", i+6, resp.StatusCode)
			}
		}
		if resp, _ := declineFrom(three, "198.51.100.3"); resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("past the site's limit: %d", resp.StatusCode)
		}
		if n := attempts(t, s, three); n != 2 {
			t.Fatalf("attempts on the third checkout: %d", n)
		}
	})
}

// inTandem's card checks and charges count per business.
func TestIntandemAttemptLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tn := newTandem(t, s)
		cfg := &config.Config{Limits: config.Limits{Window: 15 * time.Minute, AttemptsPerCheckout: 100, AttemptsPerClient: 100, AttemptsPerSite: 3}}
		cfg.Notify.AllowPrivateTargets = true
		tn.srv.Config.Handler = app.Frontend(cfg, s, slog.New(slog.DiscardHandler)).Handler
		// Card checks and charges of the business share its allowance of 3.
		_, m := tn.token("4242 4242 4242 4242", "10")
		if c := tn.charge(m["token"].(string), "10", "ps-l1"); c["charge_key"] == nil {
			t.Fatalf("first charge: %v", c)
		}
		_, m = tn.token("4242 4242 4242 4242", "10")
		tok := m["token"].(string)
		status, c := tn.postJSON("/intandem/charge", `{"amount":10,"currency":"USD","token":"`+tok+`","payment_status_uid":"ps-l2"}`)
		if status != http.StatusTooManyRequests || c["error"] == nil || c["charge_key"] != nil {
			t.Fatalf("past the business's limit, a charge: %d %v", status, c)
		}
		if again, _ := intandem.NewData(s).GetToken(ctx, tok); again.UsedBy != "" {
			t.Fatal("the refused charge used the token")
		}
		st, m := tn.token("4242 4242 4242 4242", "10")
		if st != http.StatusTooManyRequests || m["errors"] == nil {
			t.Fatalf("past the business's limit, a card check: %d %v", st, m)
		}
	})
}

// Without JavaScript an expiry typed as digits alone is read as MMYY or MMYYYY.
func TestExpiryDigitsWithoutScript(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		st := newSite(t, s, "Keypad")
		for _, expiry := range []string{"1234", "12 34", "122034"} {
			c := st.checkout(checkout.ModeTest, `{"amount":500,"currency":"EUR","externalReference":"k"}`)
			_, page := st.get("/checkout/" + c.ShortCode)
			f := form(page, "4242 4242 4242 4242")
			f.Set("expiry", expiry)
			resp, body := st.post("/checkout/"+c.ShortCode+"/pay", f)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("expiry %q: %d %.300s", expiry, resp.StatusCode, body)
			}
		}
	})
}
