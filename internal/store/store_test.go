package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

var ctx = context.Background()

func TestUnmigratedAndMigrate(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			s, err := store.Open(ctx, storetest.URL(t, d), storetest.Box(t))
			storetest.Must(t, err, "open")
			defer s.Close()
			if err := s.CheckMigrated(ctx); !errors.Is(err, store.ErrNotMigrated) {
				t.Fatalf("fresh database: CheckMigrated = %v", err)
			}
			applied, err := s.Migrate(ctx)
			storetest.Must(t, err, "migrate")
			if len(applied) == 0 {
				t.Fatal("no migration applied")
			}
			storetest.Must(t, s.CheckMigrated(ctx), "check after migrate")
			again, err := s.Migrate(ctx)
			storetest.Must(t, err, "migrate again")
			if len(again) != 0 {
				t.Fatalf("second migrate applied %v", again)
			}
			storetest.Must(t, s.Ping(ctx), "ping")
		})
	}
}

func newCheckout(t *testing.T, f storetest.Fixture, ref string, amount int64) *checkout.Checkout {
	t.Helper()
	req := &checkout.CreateRequest{
		Amount: "0", Currency: "EUR", ExternalReference: checkout.Text(ref),
		Items:    []checkout.ItemRequest{{Name: "A", Quantity: "2", UnitPrice: "0"}, {Description: "B", UnitPrice: "0"}},
		Metadata: map[string]any{"k": "v"}, BillingAddress: &checkout.Address{City: "Berlin", Country: "de"},
	}
	req.Amount = jsonInt(amount)
	req.Items[0].UnitPrice = jsonInt((amount - 1) / 2)
	req.Items[1].UnitPrice = jsonInt(amount - 2*((amount-1)/2))
	c, err := checkout.Build(req, checkout.Settings{
		OrganizationID: f.OrgID, SiteID: f.SiteID, Mode: checkout.ModeTest, Source: checkout.SourceAPI,
		DefaultExpiry: time.Hour, MaxAmount: 1 << 40,
	}, store.TimeNow())
	storetest.Must(t, err, "build")
	return c
}

func jsonInt(v int64) json.Number { return json.Number(fmt.Sprint(v)) }

func TestBootstrapAndSecrets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r, err := store.Bootstrap(ctx, s, store.BootstrapInput{Org: "Acme", Site: "Acme Shop!", Email: "Ops@Acme.test", PasswordHash: "h"})
		storetest.Must(t, err, "bootstrap")
		if r.Site.Slug != "acme-shop" || !strings.HasPrefix(r.Site.WebhookSecret, "whsec_") || r.User.Email != "ops@acme.test" {
			t.Fatalf("bootstrap result %+v %+v", r.Site, r.User)
		}
		site, err := s.GetSite(ctx, r.Organization.ID, r.Site.ID)
		storetest.Must(t, err, "get site")
		if site.WebhookSecret != r.Site.WebhookSecret {
			t.Fatal("signing secret does not round-trip")
		}
		var raw string
		storetest.Must(t, s.Bun().NewSelect().Table("sites").Column("webhook_secret_enc").Where("id = ?", site.ID).Scan(ctx, &raw), "raw")
		if strings.Contains(raw, "whsec_") {
			t.Fatal("signing secret stored in clear")
		}
		provs, err := s.ListProviders(ctx, r.Organization.ID, r.Site.ID)
		storetest.Must(t, err, "providers")
		if len(provs) != 1 || provs[0].Type != "sandbox" || !provs[0].Enabled {
			t.Fatalf("providers %+v", provs)
		}
		k, err := s.GetAPIKey(ctx, r.APIKey.ID)
		storetest.Must(t, err, "get key")
		mode, _, secret, err := auth.ParseToken(r.Token)
		storetest.Must(t, err, "parse token")
		if !k.Matches(mode, secret, store.TimeNow()) || !k.Allows("checkout:create") || !k.Allows("transaction:execute") || !k.Allows("site:update") || k.Allows("api_key:create") || k.Allows("organization:update") {
			t.Fatalf("key %+v", k)
		}
		if _, err := store.Bootstrap(ctx, s, store.BootstrapInput{Org: "B", Site: "B", Email: "ops@acme.test"}); err == nil {
			t.Fatal("duplicate user email accepted")
		}
		if _, err := s.GetAPIKey(ctx, "nosuchkey0000000"); !errors.Is(err, checkout.ErrNotFound) {
			t.Fatalf("unknown key: %v", err)
		}
		if _, err := s.GetSite(ctx, "org_other", r.Site.ID); !errors.Is(err, checkout.ErrNotFound) {
			t.Fatalf("site of another organization: %v", err)
		}
	})
}

func TestCheckoutRoundTripAndIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := storetest.Seed(t, s, "a")
		b := storetest.Seed(t, s, "b")
		c := newCheckout(t, a, "order-1", 1001)
		storetest.Must(t, s.CreateCheckout(ctx, c, nil), "create")
		got, err := s.GetCheckout(ctx, a.OrgID, c.ID)
		storetest.Must(t, err, "get")
		if got.Amount != 1001 || got.Status != checkout.StatusOpen || len(got.Items) != 2 || got.Items[1].Description != "B" ||
			got.Metadata["k"] != "v" || got.BillingAddress == nil || got.BillingAddress.Country != "DE" ||
			!got.ExpiresAt.Equal(c.ExpiresAt) || !got.CreatedAt.Equal(c.CreatedAt) || got.ShortCode != c.ShortCode {
			t.Fatalf("round trip: %+v", got)
		}
		var sum int64
		for _, it := range got.Items {
			sum += it.LineTotal()
		}
		if sum != got.Amount {
			t.Fatalf("items sum %d != %d", sum, got.Amount)
		}
		if _, err := s.GetCheckout(ctx, b.OrgID, c.ID); !errors.Is(err, checkout.ErrNotFound) {
			t.Fatalf("other organization sees the checkout: %v", err)
		}
		if _, err := s.ExpireCheckout(ctx, b.OrgID, c.ID); !errors.Is(err, checkout.ErrNotFound) {
			t.Fatalf("other organization expires the checkout: %v", err)
		}
		list, total, err := s.ListCheckouts(ctx, store.CheckoutFilter{OrganizationID: b.OrgID, Page: 1, Limit: 10})
		storetest.Must(t, err, "list b")
		if total != 0 || len(list) != 0 {
			t.Fatalf("organization b lists %d", total)
		}
	})
}

func TestListFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := storetest.Seed(t, s, "a")
		var created []*checkout.Checkout
		for i := range 7 {
			c := newCheckout(t, a, fmt.Sprintf("ref-%d", i%3), int64(100+i))
			storetest.Must(t, s.CreateCheckout(ctx, c, nil), "create %d", i)
			created = append(created, c)
			time.Sleep(2 * time.Millisecond)
		}
		_, err := s.ExpireCheckout(ctx, a.OrgID, created[0].ID)
		storetest.Must(t, err, "expire")

		page1, total, err := s.ListCheckouts(ctx, store.CheckoutFilter{OrganizationID: a.OrgID, Page: 1, Limit: 3})
		storetest.Must(t, err, "list")
		if total != 7 || len(page1) != 3 || page1[0].ID != created[6].ID || len(page1[0].Items) != 2 {
			t.Fatalf("page 1: total %d len %d first %s", total, len(page1), page1[0].ID)
		}
		page3, _, err := s.ListCheckouts(ctx, store.CheckoutFilter{OrganizationID: a.OrgID, Page: 3, Limit: 3})
		storetest.Must(t, err, "list page 3")
		if len(page3) != 1 || page3[0].ID != created[0].ID {
			t.Fatalf("page 3: %d", len(page3))
		}
		byRef, total, err := s.ListCheckouts(ctx, store.CheckoutFilter{OrganizationID: a.OrgID, ExternalReference: "ref-1", Page: 1, Limit: 10})
		storetest.Must(t, err, "by reference")
		if total != 2 || len(byRef) != 2 {
			t.Fatalf("by reference: %d", total)
		}
		expired, total, err := s.ListCheckouts(ctx, store.CheckoutFilter{OrganizationID: a.OrgID, Status: checkout.StatusExpired, SiteID: a.SiteID, Page: 1, Limit: 10})
		storetest.Must(t, err, "by status")
		if total != 1 || expired[0].ID != created[0].ID {
			t.Fatalf("by status: %d", total)
		}
		ranged, total, err := s.ListCheckouts(ctx, store.CheckoutFilter{OrganizationID: a.OrgID, CreatedFrom: created[2].CreatedAt, CreatedTo: created[5].CreatedAt, Page: 1, Limit: 10})
		storetest.Must(t, err, "by range")
		if total != 3 || ranged[0].ID != created[4].ID {
			t.Fatalf("by range: %d", total)
		}
	})
}

func TestExpireRaceHasOneWinner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := storetest.Seed(t, s, "a")
		c := newCheckout(t, a, "race", 500)
		storetest.Must(t, s.CreateCheckout(ctx, c, nil), "create")
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, notOpen := 0, 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.ExpireCheckout(ctx, a.OrgID, c.ID)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.Is(err, checkout.ErrNotOpen):
					notOpen++
				default:
					t.Errorf("expire: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 || notOpen != 7 {
			t.Fatalf("wins %d, not open %d", wins, notOpen)
		}
		evs, err := s.EventsFor(ctx, c.ID)
		storetest.Must(t, err, "events")
		if len(evs) != 1 || evs[0].Type != "checkout.expired" {
			t.Fatalf("events %+v", evs)
		}
	})
}

func TestExpireDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := storetest.Seed(t, s, "a")
		past := newCheckout(t, a, "past", 100)
		past.ExpiresAt = store.TimeNow().Add(-time.Second)
		future := newCheckout(t, a, "future", 100)
		storetest.Must(t, s.CreateCheckout(ctx, past, nil), "create")
		storetest.Must(t, s.CreateCheckout(ctx, future, nil), "create")
		expired, err := s.ExpireDue(ctx, 100)
		storetest.Must(t, err, "expire due")
		if len(expired) != 1 || expired[0] != past.ID {
			t.Fatalf("expired %v", expired)
		}
		got, _ := s.GetCheckout(ctx, a.OrgID, past.ID)
		still, _ := s.GetCheckout(ctx, a.OrgID, future.ID)
		if got.Status != checkout.StatusExpired || got.ClosedAt.IsZero() || still.Status != checkout.StatusOpen {
			t.Fatalf("statuses %s %s", got.Status, still.Status)
		}
	})
}

func TestIdempotencyRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := storetest.Seed(t, s, "a")
		rec, claimed, err := s.ClaimIdempotency(ctx, a.OrgID, "k1", "h1")
		storetest.Must(t, err, "claim")
		if !claimed || rec.State != store.IdemInFlight {
			t.Fatalf("first claim %v %+v", claimed, rec)
		}
		rec, claimed, err = s.ClaimIdempotency(ctx, a.OrgID, "k1", "h1")
		storetest.Must(t, err, "claim again")
		if claimed || rec.State != store.IdemInFlight {
			t.Fatalf("second claim %v %+v", claimed, rec)
		}
		// Another organization has its own key space.
		if _, claimed, _ := s.ClaimIdempotency(ctx, "org_other", "k1", "h1"); !claimed {
			t.Fatal("keys are not per organization")
		}
		c := newCheckout(t, a, "idem", 100)
		storetest.Must(t, s.CreateCheckout(ctx, c, &store.IdempotencyResult{OrganizationID: a.OrgID, Key: "k1", Status: 200, Body: []byte(`{"id":"x"}`)}), "create")
		rec, claimed, err = s.ClaimIdempotency(ctx, a.OrgID, "k1", "h2")
		storetest.Must(t, err, "claim after done")
		if claimed || rec.State != store.IdemDone || rec.ResponseStatus != 200 || rec.ResponseBody != `{"id":"x"}` || rec.RequestHash != "h1" {
			t.Fatalf("done record %+v", rec)
		}
		_, _, _ = s.ClaimIdempotency(ctx, a.OrgID, "k2", "h")
		storetest.Must(t, s.ReleaseIdempotency(ctx, a.OrgID, "k2"), "release")
		if _, claimed, _ := s.ClaimIdempotency(ctx, a.OrgID, "k2", "h"); !claimed {
			t.Fatal("released key cannot be claimed again")
		}
		// A claim whose lock ran out (its process died) can be taken over once.
		_, err = s.Bun().NewUpdate().Table("idempotency_keys").Set("locked_until = ?", store.TimeNow().Add(-time.Second)).
			Where("idem_key = ?", "k2").Exec(ctx)
		storetest.Must(t, err, "age claim")
		if _, claimed, _ := s.ClaimIdempotency(ctx, a.OrgID, "k2", "h"); !claimed {
			t.Fatal("stale claim not taken over")
		}
		if _, claimed, _ := s.ClaimIdempotency(ctx, a.OrgID, "k2", "h"); claimed {
			t.Fatal("taken-over claim taken twice")
		}
	})
}

func TestConcurrentCreatesAllStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := storetest.Seed(t, s, "a")
		const n = 200
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.CreateCheckout(ctx, newCheckout(t, a, fmt.Sprint("c", i), int64(100+i)), nil)
			}()
		}
		// One create in the crowd violates a constraint; it alone must fail.
		bad := newCheckout(t, a, "bad", 100)
		bad.SiteID = "site_missing"
		badErr := s.CreateCheckout(ctx, bad, nil)
		wg.Wait()
		close(errs)
		for err := range errs {
			storetest.Must(t, err, "concurrent create")
		}
		if badErr == nil {
			t.Fatal("checkout of a missing site stored")
		}
		_, total, err := s.ListCheckouts(ctx, store.CheckoutFilter{OrganizationID: a.OrgID, Page: 1, Limit: 1})
		storetest.Must(t, err, "count")
		if total != n {
			t.Fatalf("stored %d of %d", total, n)
		}
	})
}

func TestAPIKeysRevokeAndTouch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := storetest.Seed(t, s, "a")
		b := storetest.Seed(t, s, "b")
		k, _ := auth.NewKey(a.OrgID, "live", checkout.ModeLive, []string{"checkout:read"}, store.TimeNow())
		storetest.Must(t, s.CreateAPIKey(ctx, k), "create key")
		keys, err := s.ListAPIKeys(ctx, a.OrgID)
		storetest.Must(t, err, "list")
		if len(keys) != 2 {
			t.Fatalf("keys %d", len(keys))
		}
		if _, err := s.RevokeAPIKey(ctx, b.OrgID, k.ID); !errors.Is(err, checkout.ErrNotFound) {
			t.Fatalf("revoked by another organization: %v", err)
		}
		got, err := s.RevokeAPIKey(ctx, a.OrgID, k.ID)
		storetest.Must(t, err, "revoke")
		if got.Active() {
			t.Fatal("still active")
		}
		t1 := store.TimeNow()
		storetest.Must(t, s.TouchAPIKeys(ctx, map[string]time.Time{k.ID: t1}), "touch")
		storetest.Must(t, s.TouchAPIKeys(ctx, map[string]time.Time{k.ID: t1.Add(-time.Hour)}), "touch older")
		got, _ = s.GetAPIKey(ctx, k.ID)
		if !got.LastUsedAt.Equal(t1) {
			t.Fatalf("last used %v, want %v", got.LastUsedAt, t1)
		}
	})
}

// Two rotations at once hand out two secrets, and both still sign: the later
// one's as current, the earlier one's as previous.
func TestConcurrentRotationsLoseNoSecret(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := storetest.Seed(t, s, "rot")
		for range 10 {
			var wg sync.WaitGroup
			got := make([]string, 2)
			for i := range 2 {
				wg.Go(func() {
					rot, err := s.RotateWebhookSecret(ctx, f.OrgID, f.SiteID, time.Hour)
					if err != nil {
						t.Errorf("rotate: %v", err)
						return
					}
					got[i] = rot.Secret
				})
			}
			wg.Wait()
			site, err := s.GetSite(ctx, f.OrgID, f.SiteID)
			storetest.Must(t, err, "site")
			current, previous := site.SigningSecrets(store.TimeNow())
			if !(current == got[0] && previous == got[1] || current == got[1] && previous == got[0]) {
				t.Fatalf("handed out %v, site signs with %q and %q", got, current, previous)
			}
		}
	})
}
