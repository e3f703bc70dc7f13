package payment_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

var ctx = context.Background()

func newCheckout(t *testing.T, s *store.Store, f storetest.Fixture, mode checkout.Mode, returnURL string) *checkout.Checkout {
	t.Helper()
	c, err := checkout.Build(&checkout.CreateRequest{Amount: "4900", Currency: "EUR", ExternalReference: "o-1", ReturnURL: returnURL},
		checkout.Settings{OrganizationID: f.OrgID, SiteID: f.SiteID, Mode: mode, Source: checkout.SourceAPI,
			DefaultExpiry: time.Hour, MaxAmount: 1e9}, store.TimeNow())
	storetest.Must(t, err, "build")
	storetest.Must(t, s.CreateCheckout(ctx, c, nil), "create")
	return c
}

func attempt(f storetest.Fixture, key, number string) payment.Attempt {
	return payment.Attempt{ProviderID: f.ProviderID, AttemptKey: key, CardNumber: number,
		ExpMonth: 12, ExpYear: 2034, CVC: "123", CardName: "Ana Ruiz"}
}

func eventTypes(t *testing.T, s *store.Store, id string) []string {
	evs, err := s.EventsFor(ctx, id)
	storetest.Must(t, err, "events")
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func TestPayDeclineRetryAndReplay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := storetest.Seed(t, s, "a")
		svc := payment.New(s)
		c := newCheckout(t, s, f, checkout.ModeTest, "https://shop.example/ok?tx={transactionId}&o=1")

		r, err := svc.Pay(ctx, c, attempt(f, "a1", "4000 0000 0000 0002"))
		storetest.Must(t, err, "declined pay")
		if r.Outcome != payment.Declined || r.Transaction.Status != checkout.TxFailed || r.Transaction.FailureCode != "card_declined" || r.Message == "" {
			t.Fatalf("decline: %+v %+v", r, r.Transaction)
		}
		if r.Transaction.CardLast4 != "0002" || r.Transaction.CardBrand != "visa" {
			t.Fatalf("card kept as %q %q", r.Transaction.CardBrand, r.Transaction.CardLast4)
		}
		r2, err := svc.Pay(ctx, c, attempt(f, "a2", "4000 0000 0000 9995"))
		storetest.Must(t, err, "insufficient funds")
		if r2.Transaction.FailureCode != "insufficient_funds" {
			t.Fatalf("insufficient funds: %+v", r2.Transaction)
		}
		got, _ := s.GetCheckout(ctx, f.OrgID, c.ID)
		if got.Status != checkout.StatusOpen {
			t.Fatalf("declines closed the checkout: %s", got.Status)
		}

		ok, err := svc.Pay(ctx, c, attempt(f, "a3", "4242 4242 4242 4242"))
		storetest.Must(t, err, "pay")
		if ok.Outcome != payment.Paid || ok.Transaction.Status != checkout.TxSucceeded ||
			ok.RedirectURL != "https://shop.example/ok?tx="+ok.Transaction.ID+"&o=1" {
			t.Fatalf("pay: %+v", ok)
		}
		got, _ = s.GetCheckout(ctx, f.OrgID, c.ID)
		if got.Status != checkout.StatusComplete || len(got.Transactions) != 3 {
			t.Fatalf("after pay: %s with %d attempts", got.Status, len(got.Transactions))
		}
		if ev := eventTypes(t, s, c.ID); len(ev) != 1 || ev[0] != "checkout.completed" {
			t.Fatalf("checkout events %v", ev)
		}
		if ev := eventTypes(t, s, ok.Transaction.ID); fmt.Sprint(ev) != "[transaction.initiated transaction.succeeded]" {
			t.Fatalf("transaction events %v", ev)
		}

		// A replayed submission finds its attempt, whatever happened since;
		// nothing new is written.
		fresh, _ := s.GetCheckout(ctx, f.OrgID, c.ID)
		again, err := svc.Pay(ctx, fresh, attempt(f, "a3", "4242 4242 4242 4242"))
		storetest.Must(t, err, "replay")
		if again.Transaction.ID != ok.Transaction.ID || again.Outcome != payment.Paid || again.RedirectURL != ok.RedirectURL {
			t.Fatalf("replay made %+v", again.Transaction)
		}
		// A new attempt on the paid checkout is refused before anything is written.
		if _, err := svc.Pay(ctx, fresh, attempt(f, "a5", "4242 4242 4242 4242")); !errors.Is(err, checkout.ErrNotOpen) {
			t.Fatalf("new attempt on a paid checkout: %v", err)
		}
		stale := *c // a caller that loaded the checkout before it was paid
		// Another card on the paid checkout does not pay twice.
		late, err := svc.Pay(ctx, &stale, attempt(f, "a4", "4242 4242 4242 4242"))
		storetest.Must(t, err, "late pay")
		if late.Outcome != payment.AlreadyClosed || late.Transaction.Status != checkout.TxFailed {
			t.Fatalf("late pay: %+v", late.Transaction)
		}
		if ev := eventTypes(t, s, c.ID); len(ev) != 1 {
			t.Fatalf("checkout events after late pay %v", ev)
		}
	})
}

func TestPayRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := storetest.Seed(t, s, "a")
		svc := payment.New(s)
		live := newCheckout(t, s, f, checkout.ModeLive, "")
		if m, _ := svc.Methods(ctx, live); len(m) != 0 {
			t.Fatalf("live checkout offers %v", m)
		}
		if _, err := svc.Pay(ctx, live, attempt(f, "x", "4242424242424242")); !errors.Is(err, payment.ErrNoSuchMethod) {
			t.Fatalf("sandbox on a live checkout: %v", err)
		}
		c := newCheckout(t, s, f, checkout.ModeTest, "")
		other := storetest.Seed(t, s, "b")
		if _, err := svc.Pay(ctx, c, attempt(other, "x", "4242424242424242")); !errors.Is(err, payment.ErrNoSuchMethod) {
			t.Fatalf("another site's provider: %v", err)
		}
		var ve *checkout.Error
		if _, err := svc.Pay(ctx, c, attempt(f, "x", "4242")); !errors.As(err, &ve) || ve.Field != "card.number" {
			t.Fatalf("short number: %v", err)
		}
		// Past its expiry, even before the sweeper, nothing is charged.
		_, err := s.Bun().NewUpdate().Table("checkouts").Set("expires_at = ?", store.TimeNow().Add(-time.Second)).Where("id = ?", c.ID).Exec(ctx)
		storetest.Must(t, err, "age checkout")
		if _, err := svc.Pay(ctx, c, attempt(f, "y", "4242424242424242")); err != nil {
			// The caller's copy still says open; the store's condition must refuse.
			t.Fatalf("pay on stale copy: %v", err)
		}
		got, _ := s.GetCheckout(ctx, f.OrgID, c.ID)
		if got.Status != checkout.StatusOpen || len(got.Transactions) != 1 || got.Transactions[0].FailureCode != "checkout_not_open" {
			t.Fatalf("overdue checkout paid: %s %+v", got.Status, got.Transactions)
		}
		got.ExpiresAt = store.TimeNow().Add(-time.Second)
		if _, err := svc.Pay(ctx, got, attempt(f, "z", "4242424242424242")); !errors.Is(err, checkout.ErrNotOpen) {
			t.Fatalf("overdue checkout: %v", err)
		}
	})
}

func TestConcurrentPaymentsOneWinner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := storetest.Seed(t, s, "a")
		svc := payment.New(s)
		c := newCheckout(t, s, f, checkout.ModeTest, "")
		const n = 16
		var wg sync.WaitGroup
		results := make(chan *payment.Result, n)
		for i := range n {
			wg.Go(func() {
				r, err := svc.Pay(ctx, c, attempt(f, fmt.Sprint("k", i), "4242424242424242"))
				if err != nil {
					t.Errorf("pay %d: %v", i, err)
					return
				}
				results <- r
			})
		}
		wg.Wait()
		close(results)
		paid, closed := 0, 0
		for r := range results {
			switch r.Outcome {
			case payment.Paid:
				paid++
			case payment.AlreadyClosed:
				closed++
			default:
				t.Errorf("outcome %s", r.Outcome)
			}
		}
		if paid != 1 || closed != n-1 {
			t.Fatalf("paid %d, already closed %d", paid, closed)
		}
		if ev := eventTypes(t, s, c.ID); len(ev) != 1 || ev[0] != "checkout.completed" {
			t.Fatalf("events %v", ev)
		}
	})
}

func TestPaymentRacingExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := storetest.Seed(t, s, "a")
		svc := payment.New(s)
		for round := range 10 {
			c := newCheckout(t, s, f, checkout.ModeTest, "")
			var wg sync.WaitGroup
			var payRes *payment.Result
			var payErr, expErr error
			wg.Go(func() { payRes, payErr = svc.Pay(ctx, c, attempt(f, "p", "4242424242424242")) })
			wg.Go(func() { _, expErr = s.ExpireCheckout(ctx, f.OrgID, c.ID) })
			wg.Wait()
			storetest.Must(t, payErr, "round %d pay", round)
			got, _ := s.GetCheckout(ctx, f.OrgID, c.ID)
			ev := eventTypes(t, s, c.ID)
			switch got.Status {
			case checkout.StatusComplete:
				if payRes.Outcome != payment.Paid || !errors.Is(expErr, checkout.ErrNotOpen) || fmt.Sprint(ev) != "[checkout.completed]" {
					t.Fatalf("round %d: complete but pay %s, expire %v, events %v", round, payRes.Outcome, expErr, ev)
				}
			case checkout.StatusExpired:
				if payRes.Outcome != payment.AlreadyClosed || expErr != nil || fmt.Sprint(ev) != "[checkout.expired]" {
					t.Fatalf("round %d: expired but pay %s, expire %v, events %v", round, payRes.Outcome, expErr, ev)
				}
			default:
				t.Fatalf("round %d: status %s", round, got.Status)
			}
		}
	})
}
