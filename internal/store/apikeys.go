package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/errs"
)

// CreateAPIKey inserts a key.
func (s *Store) CreateAPIKey(ctx context.Context, k *auth.APIKey) error {
	if _, err := s.write.NewInsert().Model(k).Exec(ctx); err != nil {
		return fmt.Errorf("inserting API key: %w", err)
	}
	return nil
}

// ListAPIKeys returns the organization's keys, newest first.
func (s *Store) ListAPIKeys(ctx context.Context, orgID string) ([]*auth.APIKey, error) {
	var keys []*auth.APIKey
	q := s.read.NewSelect().Model(&keys).OrderExpr("created_at DESC, id")
	if orgID != "" {
		q = q.Where("organization_id = ?", orgID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing API keys: %w", err)
	}
	return keys, nil
}

// RevokeAPIKey revokes a key of the organization (any organization when orgID
// is empty). Revoking twice keeps the first time.
func (s *Store) RevokeAPIKey(ctx context.Context, orgID, id string) (*auth.APIKey, error) {
	q := s.write.NewUpdate().Model((*auth.APIKey)(nil)).Set("revoked_at = ?", now()).
		Where("id = ?", id).Where("revoked_at IS NULL")
	if orgID != "" {
		q = q.Where("organization_id = ?", orgID)
	}
	if _, err := q.Exec(ctx); err != nil {
		return nil, fmt.Errorf("revoking API key: %w", err)
	}
	k, err := s.GetAPIKey(ctx, id)
	if err != nil || (orgID != "" && k.OrganizationID != orgID) {
		return nil, fmt.Errorf("API key %s: %w", id, errs.ErrNotFound)
	}
	return k, nil
}

// TouchAPIKeys records last-used times in one transaction, never moving a time back.
func (s *Store) TouchAPIKeys(ctx context.Context, used map[string]time.Time) error {
	return s.write.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for id, t := range used {
			if _, err := tx.NewUpdate().Model((*auth.APIKey)(nil)).Set("last_used_at = ?", t.UTC()).
				Where("id = ?", id).Where("last_used_at IS NULL OR last_used_at < ?", t.UTC()).Exec(ctx); err != nil {
				return fmt.Errorf("recording use of key %s: %w", id, err)
			}
		}
		return nil
	})
}
