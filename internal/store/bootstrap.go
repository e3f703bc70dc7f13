package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/tenant"
)

// BootstrapInput describes a new organization.
type BootstrapInput struct {
	Org  string
	Site string
	// Email and PasswordHash create the first admin user when Email is set.
	Email        string
	PasswordHash string
	// DefaultExpiry of the site's checkouts; 24 h when zero.
	DefaultExpiry time.Duration
	// AmountUnits of the site's API callers; minor when empty.
	AmountUnits tenant.AmountUnits
	// IPNVersion the site's notifications speak; the current one when zero.
	IPNVersion int
}

// BootstrapResult is what Bootstrap created. Token is the API key in full,
// shown once.
type BootstrapResult struct {
	Organization *tenant.Organization
	Site         *tenant.Site
	Provider     *tenant.Provider
	User         *tenant.User
	APIKey       *auth.APIKey
	Token        string
}

var slugRE = regexp.MustCompile(`[^a-z0-9]+`)

// Slug makes a URL-friendly name: "Demo Shop!" is "demo-shop".
func Slug(name string) string {
	s := strings.Trim(slugRE.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if s == "" {
		s = "site"
	}
	if len(s) > 60 {
		s = strings.TrimRight(s[:60], "-")
	}
	return s
}

// Bootstrap creates, in one transaction, an organization, a site with the
// sandbox provider enabled, optionally an admin user, and an sk_test_ key with
// every checkout and transaction scope.
func Bootstrap(ctx context.Context, s *Store, in BootstrapInput) (*BootstrapResult, error) {
	if strings.TrimSpace(in.Org) == "" || strings.TrimSpace(in.Site) == "" {
		return nil, fmt.Errorf("bootstrap needs an organization name and a site name")
	}
	if in.DefaultExpiry == 0 {
		in.DefaultExpiry = 24 * time.Hour
	}
	if in.AmountUnits == tenant.UnitsUnset {
		in.AmountUnits = tenant.UnitsMinor
	}
	if in.IPNVersion == 0 {
		in.IPNVersion = tenant.IPNCurrent
	}
	t := now()
	r := &BootstrapResult{
		Organization: &tenant.Organization{ID: ids.New("org"), Name: strings.TrimSpace(in.Org), CreatedAt: t},
	}
	r.Site = &tenant.Site{
		ID: ids.New("site"), OrganizationID: r.Organization.ID, Slug: Slug(in.Site),
		DisplayName: strings.TrimSpace(in.Site), PrimaryColor: "#4f46e5", Font: "system", CornerStyle: "rounded",
		WebhookSecret: "whsec_" + ids.Secret(32), AmountUnits: in.AmountUnits, IPNVersion: in.IPNVersion,
		DefaultExpirySeconds: int64(in.DefaultExpiry / time.Second), CreatedAt: t, UpdatedAt: t,
	}
	r.Provider = &tenant.Provider{
		ID: ids.New("prov"), OrganizationID: r.Organization.ID, SiteID: r.Site.ID,
		Type: tenant.ProviderSandbox, Name: "Test card (sandbox)", Config: "{}", Enabled: true, CreatedAt: t,
	}
	r.APIKey, r.Token = auth.NewKey(r.Organization.ID, "bootstrap", checkout.ModeTest, auth.DefaultScopes, t)

	err := s.write.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		inserts := []any{
			r.Organization,
			&siteRow{Site: *r.Site, WebhookSecretEnc: s.box.Seal(r.Site.WebhookSecret, "site:"+r.Site.ID)},
			&providerRow{Provider: *r.Provider, ConfigEnc: s.box.Seal(r.Provider.Config, "provider:"+r.Provider.ID)},
			r.APIKey,
		}
		if in.Email != "" {
			r.User = &tenant.User{ID: ids.New("usr"), Email: strings.ToLower(strings.TrimSpace(in.Email)),
				Name: in.Email, PasswordHash: in.PasswordHash, CreatedAt: t}
			inserts = append(inserts, r.User, &tenant.Membership{
				OrganizationID: r.Organization.ID, UserID: r.User.ID, Role: tenant.RoleAdmin, CreatedAt: t,
			})
		}
		for _, m := range inserts {
			if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
				if isUniqueViolation(err) && r.User != nil {
					return fmt.Errorf("a user with email %s already exists", r.User.Email)
				}
				return fmt.Errorf("inserting %T: %w", m, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
