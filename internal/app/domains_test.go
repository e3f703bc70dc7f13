package app_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/customdomain"
	"github.com/pgw/pgw/internal/customdomain/dnstest"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// A verified domain whose CNAME went away is suspended at its next check;
// one checked recently waits.
func TestRecheckDomains(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ns := dnstest.Start(t)
		ns.CNAME("kept.shop.example", "secure.pgw.example")
		v := &customdomain.Verifier{Resolver: customdomain.NewResolver(ns.Addr), Target: "secure.pgw.example"}
		f := storetest.Seed(t, s, "dom")
		start := time.Now().Add(-7 * time.Hour)
		claim := func(host string) *customdomain.Domain {
			d := &customdomain.Domain{ID: ids.New("dom"), OrganizationID: f.OrgID, SiteID: f.SiteID, Hostname: host, Token: "t",
				Status: customdomain.Pending, CreatedAt: start}
			storetest.Must(t, s.CreateDomain(ctx, d), "claim")
			storetest.Must(t, s.SetDomainStatus(ctx, d, customdomain.Verified, "", start), "verify")
			return d
		}
		kept, gone := claim("kept.shop.example"), claim("gone.shop.example")
		n, err := app.RecheckDomains(ctx, s, v, time.Now(), slog.New(slog.DiscardHandler))
		storetest.Must(t, err, "recheck")
		if n != 2 {
			t.Fatalf("checked %d", n)
		}
		for d, want := range map[*customdomain.Domain]string{kept: customdomain.Verified, gone: customdomain.Suspended} {
			got, err := s.GetDomain(ctx, f.OrgID, d.ID)
			storetest.Must(t, err, "domain")
			if got.Status != want {
				t.Errorf("%s is %s, want %s (%s)", d.Hostname, got.Status, want, got.Reason)
			}
		}
		if n, _ := app.RecheckDomains(ctx, s, v, time.Now(), slog.New(slog.DiscardHandler)); n != 0 {
			t.Errorf("checked again at once: %d", n)
		}
	})
}
