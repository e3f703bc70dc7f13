package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/tenant"
)

// siteRow is a site as stored: its signing secret sealed.
type siteRow struct {
	bun.BaseModel `bun:"table:sites"`
	tenant.Site
	WebhookSecretEnc         string `bun:",notnull"`
	PreviousWebhookSecretEnc string `bun:",notnull"`
}

// providerRow is a provider as stored: its configuration sealed.
type providerRow struct {
	bun.BaseModel `bun:"table:providers"`
	tenant.Provider
	ConfigEnc string `bun:",notnull"`
}

// CreateOrganization inserts an organization.
func (s *Store) CreateOrganization(ctx context.Context, o *tenant.Organization) error {
	if _, err := s.write.NewInsert().Model(o).Exec(ctx); err != nil {
		return fmt.Errorf("inserting organization: %w", err)
	}
	return nil
}

// GetOrganization returns the organization with id.
func (s *Store) GetOrganization(ctx context.Context, id string) (*tenant.Organization, error) {
	o := new(tenant.Organization)
	if err := s.read.NewSelect().Model(o).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "organization")
	}
	return o, nil
}

// FindOrganizationByName returns the first organization with that name.
func (s *Store) FindOrganizationByName(ctx context.Context, name string) (*tenant.Organization, error) {
	o := new(tenant.Organization)
	if err := s.read.NewSelect().Model(o).Where("name = ?", name).OrderExpr("created_at, id").Limit(1).Scan(ctx); err != nil {
		return nil, notFound(err, "organization")
	}
	return o, nil
}

// CreateUser inserts a user and makes it a member of orgID with role.
func (s *Store) CreateUser(ctx context.Context, u *tenant.User, orgID string, role tenant.Role) error {
	return s.write.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(u).Exec(ctx); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("a user with email %s already exists", u.Email)
			}
			return fmt.Errorf("inserting user: %w", err)
		}
		m := &tenant.Membership{OrganizationID: orgID, UserID: u.ID, Role: role, CreatedAt: u.CreatedAt}
		if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
			return fmt.Errorf("inserting membership: %w", err)
		}
		return nil
	})
}

// CreateSite inserts a site, sealing its signing secret. A site that does not
// say which IPN version it speaks gets the current one.
func (s *Store) CreateSite(ctx context.Context, site *tenant.Site) error {
	if site.IPNVersion == 0 {
		site.IPNVersion = tenant.IPNCurrent
	}
	row := &siteRow{Site: *site, WebhookSecretEnc: s.box.Seal(site.WebhookSecret, "site:"+site.ID)}
	if _, err := s.write.NewInsert().Model(row).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return &errs.Error{Kind: errs.Conflict, Code: "slug_taken", Field: "slug",
				Message: fmt.Sprintf("a site with slug %q already exists in this organization", site.Slug)}
		}
		return fmt.Errorf("inserting site: %w", err)
	}
	return nil
}

// GetSite returns a site of the organization; a site of another organization,
// or one deleted, is not found.
func (s *Store) GetSite(ctx context.Context, orgID, id string) (*tenant.Site, error) {
	return s.getSite(ctx, s.stmts.siteByID, orgID, id)
}

// SiteOf returns the site of a checkout or a notification, deleted or not:
// the pages, receipts and notifications of a deleted site's checkouts still
// need its name, branding and secret.
func (s *Store) SiteOf(ctx context.Context, orgID, id string) (*tenant.Site, error) {
	return s.getSite(ctx, s.stmts.anySiteByID, orgID, id)
}

func (s *Store) getSite(ctx context.Context, stmt, orgID, id string) (*tenant.Site, error) {
	rows, err := s.queryPrepared(ctx, stmt, id, orgID)
	if err != nil {
		return nil, fmt.Errorf("loading site: %w", err)
	}
	row := new(siteRow)
	if err := s.scanOne(ctx, rows, row); err != nil {
		return nil, notFound(err, "site")
	}
	return s.openSite(row)
}

// CountSites returns how many sites the organization has.
func (s *Store) CountSites(ctx context.Context, orgID string) (int, error) {
	n, err := s.read.NewSelect().Model((*siteRow)(nil)).Where("organization_id = ?", orgID).Where("deleted_at IS NULL").Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("counting sites: %w", err)
	}
	return int(n), nil
}

// ListSites returns the organization's sites, oldest first.
func (s *Store) ListSites(ctx context.Context, orgID string) ([]*tenant.Site, error) {
	var rows []*siteRow
	if err := s.read.NewSelect().Model(&rows).Where("organization_id = ?", orgID).Where("deleted_at IS NULL").
		OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing sites: %w", err)
	}
	out := make([]*tenant.Site, 0, len(rows))
	for _, r := range rows {
		site, err := s.openSite(r)
		if err != nil {
			return nil, err
		}
		out = append(out, site)
	}
	return out, nil
}

func (s *Store) openSite(row *siteRow) (*tenant.Site, error) {
	secret, err := s.box.Open(row.WebhookSecretEnc, "site:"+row.ID)
	if err != nil {
		return nil, fmt.Errorf("opening signing secret of site %s (is secrets.master_key the one it was created with?): %w", row.ID, err)
	}
	site := row.Site
	site.WebhookSecret = secret
	if row.PreviousWebhookSecretEnc != "" {
		if site.PreviousWebhookSecret, err = s.box.Open(row.PreviousWebhookSecretEnc, "site-previous:"+row.ID); err != nil {
			return nil, fmt.Errorf("opening previous signing secret of site %s: %w", row.ID, err)
		}
	}
	return &site, nil
}

// CreateProvider inserts a provider, sealing its configuration.
func (s *Store) CreateProvider(ctx context.Context, p *tenant.Provider) error {
	row := &providerRow{Provider: *p, ConfigEnc: s.box.Seal(p.Config, "provider:"+p.ID)}
	if _, err := s.write.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("inserting provider: %w", err)
	}
	return nil
}

// ListProviders returns the providers of a site with their configuration opened.
func (s *Store) ListProviders(ctx context.Context, orgID, siteID string) ([]*tenant.Provider, error) {
	var rows []*providerRow
	if err := s.read.NewSelect().Model(&rows).Where("organization_id = ?", orgID).Where("site_id = ?", siteID).
		OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing providers: %w", err)
	}
	out := make([]*tenant.Provider, 0, len(rows))
	for _, r := range rows {
		cfg, err := s.box.Open(r.ConfigEnc, "provider:"+r.ID)
		if err != nil {
			return nil, fmt.Errorf("opening configuration of provider %s: %w", r.ID, err)
		}
		p := r.Provider
		p.Config = cfg
		out = append(out, &p)
	}
	return out, nil
}

// ProviderNames returns the names of the organization's providers by id,
// without opening their configuration.
func (s *Store) ProviderNames(ctx context.Context, orgID string) (map[string]string, error) {
	var rows []struct{ ID, Name string }
	if err := s.read.NewSelect().Model((*providerRow)(nil)).Column("id", "name").
		Where("organization_id = ?", orgID).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("listing provider names: %w", err)
	}
	names := make(map[string]string, len(rows))
	for _, r := range rows {
		names[r.ID] = r.Name
	}
	return names, nil
}

// notFound turns sql.ErrNoRows into errs.ErrNotFound for what.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, errs.ErrNotFound)
	}
	return fmt.Errorf("loading %s: %w", what, err)
}

// TimeNow is the store's clock: UTC at microsecond precision, which both
// engines keep exactly.
func TimeNow() time.Time { return now() }

// ListOrganizations returns every organization, oldest first.
func (s *Store) ListOrganizations(ctx context.Context) ([]*tenant.Organization, error) {
	var orgs []*tenant.Organization
	if err := s.read.NewSelect().Model(&orgs).OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing organizations: %w", err)
	}
	return orgs, nil
}

// SiteSettings are the site fields an operator may change; nil leaves a field as it is.
type SiteSettings struct {
	DisplayName   *string
	LogoURL       *string
	PrimaryColor  *string
	Font          *string
	CornerStyle   *string
	AmountUnits   *tenant.AmountUnits
	DefaultExpiry *time.Duration
	IPNVersion    *int
	// DefaultLanguage is a BCP 47 tag pgw speaks, or "" for none.
	DefaultLanguage *string
	RequireEmail    *bool
	TimeZone        *string
}

// UpdateSite changes a site's settings and returns the site.
func (s *Store) UpdateSite(ctx context.Context, orgID, id string, in SiteSettings) (*tenant.Site, error) {
	q := s.write.NewUpdate().Model((*siteRow)(nil)).Set("updated_at = ?", now()).
		Where("id = ?", id).Where("organization_id = ?", orgID)
	if in.DisplayName != nil {
		q = q.Set("display_name = ?", *in.DisplayName)
	}
	if in.AmountUnits != nil {
		q = q.Set("amount_units = ?", *in.AmountUnits)
	}
	for col, v := range map[string]*string{"logo_url": in.LogoURL, "primary_color": in.PrimaryColor, "font": in.Font, "corner_style": in.CornerStyle} {
		if v != nil {
			q = q.Set("? = ?", bun.Ident(col), *v)
		}
	}
	if in.IPNVersion != nil {
		q = q.Set("ipn_version = ?", *in.IPNVersion)
	}
	if in.DefaultLanguage != nil {
		q = q.Set("default_language = ?", *in.DefaultLanguage)
	}
	if in.RequireEmail != nil {
		q = q.Set("require_email = ?", *in.RequireEmail)
	}
	if in.TimeZone != nil {
		q = q.Set("time_zone = ?", *in.TimeZone)
	}
	if in.DefaultExpiry != nil {
		q = q.Set("default_expiry_seconds = ?", int64(*in.DefaultExpiry/time.Second))
	}
	res, err := q.Where("deleted_at IS NULL").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("updating site: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, fmt.Errorf("site %s: %w", id, errs.ErrNotFound)
	}
	return s.GetSite(ctx, orgID, id)
}

// GetProvider returns a provider by id for any organization, with its
// configuration opened; for provider webhooks, which name it in their URL.
func (s *Store) GetProvider(ctx context.Context, id string) (*tenant.Provider, error) {
	row := new(providerRow)
	if err := s.read.NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "provider")
	}
	cfg, err := s.box.Open(row.ConfigEnc, "provider:"+row.ID)
	if err != nil {
		return nil, fmt.Errorf("opening configuration of provider %s: %w", row.ID, err)
	}
	p := row.Provider
	p.Config = cfg
	return &p, nil
}

// SetProviderEnabled enables or disables a provider of the organization's site.
func (s *Store) SetProviderEnabled(ctx context.Context, orgID, siteID, id string, enabled bool) error {
	res, err := s.write.NewUpdate().Model((*providerRow)(nil)).Set("enabled = ?", enabled).
		Where("id = ?", id).Where("organization_id = ?", orgID).Where("site_id = ?", siteID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("updating provider: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("provider %s: %w", id, errs.ErrNotFound)
	}
	return nil
}

// ErrSiteHasOpenCheckouts refuses to delete a site buyers may still pay.
var ErrSiteHasOpenCheckouts = errs.New(errs.Conflict, "site_has_open_checkouts",
	"the site has open checkouts; cancel them or let them expire before deleting it")

// DeleteSite deletes a site of the organization that has no open checkout:
// it takes no more checkouts and leaves its lists, its history stays. The
// update is conditional, so a checkout created meanwhile keeps it.
func (s *Store) DeleteSite(ctx context.Context, orgID, id string) error {
	open := s.write.NewSelect().Model((*checkout.Checkout)(nil)).ColumnExpr("1").
		Where("site_id = ?", id).Where("status = ?", checkout.StatusOpen)
	res, err := s.write.NewUpdate().Model((*siteRow)(nil)).Set("deleted_at = ?", now()).Set("updated_at = ?", now()).
		Where("id = ?", id).Where("organization_id = ?", orgID).Where("deleted_at IS NULL").
		Where("NOT EXISTS (?)", open).Exec(ctx)
	if err != nil {
		return fmt.Errorf("deleting site: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	if _, err := s.GetSite(ctx, orgID, id); err != nil {
		return err
	}
	return ErrSiteHasOpenCheckouts
}
