package customdomain

import (
	"context"
	"log/slog"
	"slices"
)

// Pages says where a site's payment pages are: on its primary domain once
// that is verified (https, Caddy's certificate), else on main-frontend's own
// URL, which serves every site.
type Pages struct {
	// Default is main-frontend's public URL.
	Default string
	// Hosts returns the verified primary hostname of each site that has
	// one (store.PrimaryHosts).
	Hosts func(ctx context.Context, siteIDs ...string) (map[string]string, error)
	Log   *slog.Logger
}

// Base is the public base URL of a site's payment pages.
func (p Pages) Base(ctx context.Context, siteID string) string {
	return p.Bases(ctx, siteID)(siteID)
}

// Bases looks the sites up at once (each once, however often it is named)
// and returns their base URLs. Our own URL serves every site, so when the
// lookup fails it is the answer, and the failure is logged: a checkout
// already made must not fail to be shown.
func (p Pages) Bases(ctx context.Context, siteIDs ...string) func(siteID string) string {
	var hosts map[string]string
	if p.Hosts != nil {
		sites := slices.Compact(slices.Sorted(slices.Values(siteIDs)))
		var err error
		if hosts, err = p.Hosts(ctx, sites...); err != nil && p.Log != nil {
			p.Log.ErrorContext(ctx, "finding custom domains for payment URLs", "err", err)
		}
	}
	return func(siteID string) string {
		if h, ok := hosts[siteID]; ok {
			return "https://" + h
		}
		return p.Default
	}
}
