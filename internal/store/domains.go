package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/customdomain"
	"github.com/pgw/pgw/internal/errs"
)

type domainRow struct {
	bun.BaseModel `bun:"table:custom_domains,alias:cd"`
	customdomain.Domain
}

// MaxDomains is how many hostnames an organization may claim.
const MaxDomains = 50

// CreateDomain stores a claim of a hostname for a site; a primary one takes
// the place of the site's primary domain.
func (s *Store) CreateDomain(ctx context.Context, d *customdomain.Domain) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		n, err := tx.NewSelect().Model((*domainRow)(nil)).Where("organization_id = ?", d.OrganizationID).Count(ctx)
		if err != nil {
			return fmt.Errorf("counting domains: %w", err)
		}
		if n >= MaxDomains {
			return errs.New(errs.Conflict, "limit_reached", fmt.Sprintf("an organization has at most %d domains", MaxDomains))
		}
		if d.Primary {
			if err := clearPrimary(ctx, tx, d.SiteID, d.ID); err != nil {
				return err
			}
		}
		if _, err := tx.NewInsert().Model(&domainRow{Domain: *d}).Exec(ctx); err != nil {
			if isUniqueViolation(err) {
				return errs.New(errs.Conflict, "domain_taken", "this organization has claimed "+d.Hostname+" already")
			}
			return fmt.Errorf("inserting domain: %w", err)
		}
		return nil
	})
}

// ListDomains returns the organization's domains, oldest first.
func (s *Store) ListDomains(ctx context.Context, orgID string) ([]*customdomain.Domain, error) {
	var rows []*domainRow
	if err := s.read.NewSelect().Model(&rows).Where("organization_id = ?", orgID).OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing domains: %w", err)
	}
	out := make([]*customdomain.Domain, len(rows))
	for i, r := range rows {
		out[i] = &r.Domain
	}
	return out, nil
}

// GetDomain returns a domain of the organization.
func (s *Store) GetDomain(ctx context.Context, orgID, id string) (*customdomain.Domain, error) {
	row := new(domainRow)
	if err := s.read.NewSelect().Model(row).Where("id = ?", id).Where("organization_id = ?", orgID).Scan(ctx); err != nil {
		return nil, notFound(err, "domain")
	}
	return &row.Domain, nil
}

// DeleteDomain removes a domain of the organization.
func (s *Store) DeleteDomain(ctx context.Context, orgID, id string) error {
	res, err := s.write.NewDelete().Model((*domainRow)(nil)).Where("id = ?", id).Where("organization_id = ?", orgID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("deleting domain: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("domain %s: %w", id, errs.ErrNotFound)
	}
	return nil
}

// SetDomainStatus records a check's outcome. A hostname another
// organization has verified stays failed here.
func (s *Store) SetDomainStatus(ctx context.Context, d *customdomain.Domain, status, reason string, now time.Time) error {
	q := s.write.NewUpdate().Model((*domainRow)(nil)).Set("status = ?", status).Set("reason = ?", reason).
		Set("checked_at = ?", now.UTC()).Where("id = ?", d.ID)
	if status == customdomain.Verified && d.Status != customdomain.Verified {
		q = q.Set("verified_at = ?", now.UTC())
	}
	if _, err := q.Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return errs.New(errs.Conflict, "domain_taken", d.Hostname+" is verified for another organization")
		}
		return fmt.Errorf("recording domain check: %w", err)
	}
	d.Status, d.Reason, d.CheckedAt = status, reason, now.UTC()
	if status == customdomain.Verified && d.VerifiedAt.IsZero() {
		d.VerifiedAt = now.UTC()
	}
	return nil
}

// VerifiedDomain returns the verified domain of a hostname, of any
// organization: main-frontend serves a site's pages on it.
func (s *Store) VerifiedDomain(ctx context.Context, hostname string) (*customdomain.Domain, error) {
	row := new(domainRow)
	if err := s.read.NewSelect().Model(row).Where("hostname = ?", hostname).Where("status = ?", customdomain.Verified).Scan(ctx); err != nil {
		return nil, notFound(err, "domain")
	}
	return &row.Domain, nil
}

// DomainsToRecheck returns up to limit verified or suspended domains last
// checked before before, the longest unchecked first.
func (s *Store) DomainsToRecheck(ctx context.Context, before time.Time, limit int) ([]*customdomain.Domain, error) {
	var rows []*domainRow
	err := s.read.NewSelect().Model(&rows).Where("status IN (?)", bun.In([]string{customdomain.Verified, customdomain.Suspended})).
		Where("checked_at IS NULL OR checked_at < ?", before.UTC()).OrderExpr("checked_at, id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing domains to check: %w", err)
	}
	out := make([]*customdomain.Domain, len(rows))
	for i, r := range rows {
		out[i] = &r.Domain
	}
	return out, nil
}

// SetPrimaryDomain makes a domain of the organization its site's primary one
// (and no other of the site's), or no longer primary.
func (s *Store) SetPrimaryDomain(ctx context.Context, orgID, id string, primary bool) (*customdomain.Domain, error) {
	row := new(domainRow)
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(row).Where("id = ?", id).Where("organization_id = ?", orgID).Scan(ctx); err != nil {
			return notFound(err, "domain")
		}
		if primary {
			if err := clearPrimary(ctx, tx, row.SiteID, id); err != nil {
				return err
			}
		}
		if _, err := tx.NewUpdate().Model((*domainRow)(nil)).Set("is_primary = ?", primary).Where("id = ?", id).Exec(ctx); err != nil {
			if isUniqueViolation(err) { // another domain of the site became primary meanwhile
				return errs.New(errs.Conflict, "conflict", "the site's primary domain changed meanwhile; try again")
			}
			return fmt.Errorf("setting the primary domain: %w", err)
		}
		row.Primary = primary
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &row.Domain, nil
}

// clearPrimary makes no domain of the site but keep its primary one.
func clearPrimary(ctx context.Context, tx bun.Tx, siteID, keep string) error {
	if _, err := tx.NewUpdate().Model((*domainRow)(nil)).Set("is_primary = ?", false).
		Where("site_id = ?", siteID).Where("id <> ?", keep).Where("is_primary").Exec(ctx); err != nil {
		return fmt.Errorf("clearing the site's primary domain: %w", err)
	}
	return nil
}

// PrimaryHosts returns the hostname of each of sites' primary domain that is
// verified, by site id; sites without one are absent.
func (s *Store) PrimaryHosts(ctx context.Context, siteIDs ...string) (map[string]string, error) {
	out := map[string]string{}
	if len(siteIDs) == 0 {
		return out, nil
	}
	var rows []*domainRow
	if err := s.read.NewSelect().Model(&rows).Column("site_id", "hostname").Where("site_id IN (?)", bun.In(siteIDs)).
		Where("is_primary").Where("status = ?", customdomain.Verified).Scan(ctx); err != nil {
		return nil, fmt.Errorf("finding sites' primary domains: %w", err)
	}
	for _, r := range rows {
		out[r.SiteID] = r.Hostname
	}
	return out, nil
}
