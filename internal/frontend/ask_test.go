package frontend_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/customdomain"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// Caddy's ask endpoint allows certificates for our own host and verified
// domains only.
func TestTLSAsk(t *testing.T) {
	sh := newShop(t)
	ctx := context.Background()
	claim := func(host, status string) {
		d := &customdomain.Domain{ID: ids.New("dom"), OrganizationID: sh.r.Organization.ID, SiteID: sh.r.Site.ID, Hostname: host,
			Token: "t", Status: customdomain.Pending, CreatedAt: store.TimeNow()}
		storetest.Must(t, sh.s.CreateDomain(ctx, d), "claim")
		storetest.Must(t, sh.s.SetDomainStatus(ctx, d, status, "", time.Now()), "status")
	}
	claim("pay.shop.example", customdomain.Verified)
	claim("pending.shop.example", customdomain.Failed)
	for domain, want := range map[string]int{
		"pay.shop.example": 200, "PAY.shop.example.": 200, "pending.shop.example": 404, "evil.example": 404,
		"127.0.0.1": 404, "": 404, "x": 404,
	} {
		resp, err := http.Get(sh.front + "/api/v1/domains/verify?domain=" + domain)
		storetest.Must(t, err, "ask")
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("ask %q: %d, want %d", domain, resp.StatusCode, want)
		}
	}
}
