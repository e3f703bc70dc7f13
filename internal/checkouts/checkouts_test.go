package checkouts_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tenant"
)

var ctx = context.Background()

func TestBuildSettingsFromSiteAndSource(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	svc := checkouts.New(nil, nil, 1e9, func() time.Time { return now })
	site := func(units tenant.AmountUnits) *tenant.Site {
		return &tenant.Site{ID: "site_1", OrganizationID: "org_1", AmountUnits: units, DefaultExpirySeconds: 3600}
	}
	req := func(amount, currency string) *checkout.CreateRequest {
		return &checkout.CreateRequest{Amount: json.Number(amount), Currency: currency, ExternalReference: "r"}
	}
	for _, tc := range []struct {
		name   string
		in     checkouts.Input
		amount int64
		code   string
		expiry time.Duration
	}{
		{"minor units", checkouts.Input{Request: req("7376", "JPY"), Site: site(tenant.UnitsMinor), Source: checkout.SourceAPI}, 7376, "", time.Hour},
		{"cents for the plugins", checkouts.Input{Request: req("737600", "JPY"), Site: site(tenant.UnitsCents), Source: checkout.SourceAPI}, 7376, "", time.Hour},
		{"cents only on the plugins' surface", checkouts.Input{Request: req("7376", "JPY"), Site: site(tenant.UnitsCents), Source: checkout.SourceDashboard}, 7376, "", time.Hour},
		{"unset, two decimals", checkouts.Input{Request: req("4900", "EUR"), Site: site(tenant.UnitsUnset), Source: checkout.SourceAPI}, 4900, "", time.Hour},
		{"unset, no decimals", checkouts.Input{Request: req("7376", "JPY"), Site: site(tenant.UnitsUnset), Source: checkout.SourceAPI}, 0, checkouts.CodeAmountUnitsRequired, 0},
		{"unset, another surface", checkouts.Input{Request: req("7376", "JPY"), Site: site(tenant.UnitsUnset), Source: checkout.SourceIntandem}, 7376, "", time.Hour},
		{"own default expiry", checkouts.Input{Request: req("100", "EUR"), Site: site(tenant.UnitsMinor), Source: checkout.SourceIntandem, DefaultExpiry: 15 * time.Minute}, 100, "", 15 * time.Minute},
		{"zero refused", checkouts.Input{Request: req("0", "EUR"), Site: site(tenant.UnitsMinor), Source: checkout.SourceAPI}, 0, checkout.CodeValidation, 0},
		{"zero allowed", checkouts.Input{Request: req("0", "EUR"), Site: site(tenant.UnitsMinor), Source: checkout.SourceOrchestrapay, AllowZero: true}, 0, "", time.Hour},
	} {
		tc.in.SourceRef, tc.in.Mode = "ref-1", checkout.ModeTest
		c, err := svc.Build(tc.in)
		var ve *checkout.Error
		switch {
		case tc.code != "" && (!errors.As(err, &ve) || ve.Code != tc.code):
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		case tc.code == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.code == "" && (c.Amount != tc.amount || c.SourceRef != "ref-1" || c.Source != tc.in.Source ||
			c.OrganizationID != "org_1" || c.SiteID != "site_1" || !c.ExpiresAt.Equal(now.Add(tc.expiry))):
			t.Errorf("%s: %+v", tc.name, c)
		}
	}
}

func TestFindOrCreateAndClose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := storetest.Seed(t, s, "svc")
		site, err := s.GetSite(ctx, f.OrgID, f.SiteID)
		storetest.Must(t, err, "site")
		svc := checkouts.New(s, payment.New(s), 1e9, nil)
		in := checkouts.Input{Request: &checkout.CreateRequest{Amount: "500", Currency: "EUR", ExternalReference: "x"},
			Site: site, Mode: checkout.ModeTest, Source: checkout.SourceIntandem, SourceRef: "checkout:b:k"}
		first, created, err := svc.FindOrCreate(ctx, in)
		storetest.Must(t, err, "first")
		again, createdAgain, err := svc.FindOrCreate(ctx, in)
		storetest.Must(t, err, "again")
		if !created || createdAgain || again.ID != first.ID {
			t.Fatalf("find-or-create made %v then %v, ids %s %s", created, createdAgain, first.ID, again.ID)
		}
		c, err := svc.Close(ctx, f.OrgID, first.ID, checkout.StatusCanceled)
		storetest.Must(t, err, "cancel")
		if c.Status != checkout.StatusCanceled {
			t.Fatalf("status %s", c.Status)
		}
		if _, err := svc.Close(ctx, f.OrgID, first.ID, checkout.StatusExpired); !errors.Is(err, checkout.ErrNotOpen) {
			t.Fatalf("closing twice: %v", err)
		}
		if _, err := svc.Close(ctx, "org_other", first.ID, checkout.StatusExpired); !errors.Is(err, checkout.ErrNotFound) {
			t.Fatalf("another organization closes: %v", err)
		}
		if _, err := svc.Close(ctx, f.OrgID, first.ID, checkout.StatusComplete); err == nil {
			t.Fatal("closed as complete by request")
		}
	})
}
