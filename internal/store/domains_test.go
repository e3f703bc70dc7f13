package store_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/customdomain"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// A site has at most one primary domain, even when its domains are made
// primary at the same time; only a verified primary names the site's host.
func TestPrimaryDomains(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := storetest.Seed(t, s, "a")
		var domains []*customdomain.Domain
		for _, h := range []string{"a.shop.example", "b.shop.example", "c.shop.example", "d.shop.example"} {
			d := &customdomain.Domain{ID: "dom_" + h[:1], OrganizationID: f.OrgID, SiteID: f.SiteID, Hostname: h, Token: "t",
				Status: customdomain.Pending, Primary: h == "a.shop.example", CreatedAt: time.Now()}
			storetest.Must(t, s.CreateDomain(ctx, d), "claim %s", h)
			storetest.Must(t, s.SetDomainStatus(ctx, d, customdomain.Verified, "", time.Now()), "verify %s", h)
			domains = append(domains, d)
		}
		hosts, err := s.PrimaryHosts(ctx, f.SiteID, "site_none")
		if storetest.Must(t, err, "hosts"); len(hosts) != 1 || hosts[f.SiteID] != "a.shop.example" {
			t.Fatalf("primary hosts: %v", hosts)
		}

		var wg sync.WaitGroup
		for _, d := range domains {
			wg.Go(func() {
				if _, err := s.SetPrimaryDomain(ctx, f.OrgID, d.ID, true); err != nil {
					if e, ok := errs.As(err); !ok || e.Code != "conflict" {
						t.Errorf("making %s primary: %v", d.Hostname, err)
					}
				}
			})
		}
		wg.Wait()
		list, err := s.ListDomains(ctx, f.OrgID)
		storetest.Must(t, err, "list")
		primaries := 0
		for _, d := range list {
			if d.Primary {
				primaries++
			}
		}
		if primaries != 1 {
			t.Fatalf("%d primary domains after concurrent choices", primaries)
		}

		// A primary that is not verified names no host.
		d, err := s.SetPrimaryDomain(ctx, f.OrgID, "dom_b", true)
		storetest.Must(t, err, "primary b")
		storetest.Must(t, s.SetDomainStatus(ctx, d, customdomain.Suspended, "gone", time.Now()), "suspend")
		if hosts, _ := s.PrimaryHosts(ctx, f.SiteID); len(hosts) != 0 {
			t.Fatalf("a suspended primary names %v", hosts)
		}
		if _, err := s.SetPrimaryDomain(ctx, "org_other", "dom_c", true); !errors.Is(err, errs.ErrNotFound) {
			t.Fatal("another organization chose a primary domain")
		}
	})
}
