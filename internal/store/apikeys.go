package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
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

// MaxAPIKeys is how many keys, revoked ones included, an organization may have.
const MaxAPIKeys = 200

// ErrTooManyKeys refuses a key past MaxAPIKeys.
var ErrTooManyKeys = errs.New(errs.Conflict, "limit_reached", fmt.Sprintf("an organization has at most %d API keys; delete revoked ones first", MaxAPIKeys))

// AddAPIKey inserts a key unless its organization has MaxAPIKeys already.
func (s *Store) AddAPIKey(ctx context.Context, k *auth.APIKey) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		n, err := tx.NewSelect().Model((*auth.APIKey)(nil)).Where("organization_id = ?", k.OrganizationID).Count(ctx)
		if err != nil {
			return fmt.Errorf("counting API keys: %w", err)
		}
		if n >= MaxAPIKeys {
			return ErrTooManyKeys
		}
		if _, err := tx.NewInsert().Model(k).Exec(ctx); err != nil {
			return fmt.Errorf("inserting API key: %w", err)
		}
		return nil
	})
}

// OrgAPIKey returns a key of the organization in mode.
func (s *Store) OrgAPIKey(ctx context.Context, orgID string, mode checkout.Mode, id string) (*auth.APIKey, error) {
	k, err := s.GetAPIKey(ctx, id)
	if err != nil {
		return nil, err
	}
	if k.OrganizationID != orgID || k.Mode != mode {
		return nil, fmt.Errorf("API key %s: %w", id, errs.ErrNotFound)
	}
	return k, nil
}

// APIKeyChange is what an update of a key sets; nil leaves a field as it is.
type APIKeyChange struct {
	Name       *string
	Scopes     []string
	AllowedIPs []string
}

// UpdateAPIKey changes a key of the organization in mode.
func (s *Store) UpdateAPIKey(ctx context.Context, orgID string, mode checkout.Mode, id string, ch APIKeyChange) (*auth.APIKey, error) {
	q := s.write.NewUpdate().Model((*auth.APIKey)(nil)).Where("id = ?", id).
		Where("organization_id = ?", orgID).Where("mode = ?", mode)
	set := false
	if ch.Name != nil {
		q, set = q.Set("name = ?", *ch.Name), true
	}
	if ch.Scopes != nil {
		q, set = q.Set("scopes = ?", strings.Join(ch.Scopes, " ")), true
	}
	if ch.AllowedIPs != nil {
		q, set = q.Set("allowed_ips = ?", strings.Join(ch.AllowedIPs, " ")), true
	}
	if set {
		if _, err := q.Exec(ctx); err != nil {
			return nil, fmt.Errorf("updating API key: %w", err)
		}
	}
	return s.OrgAPIKey(ctx, orgID, mode, id)
}

// ErrKeyRevoked refuses to rotate a revoked key.
var ErrKeyRevoked = errs.New(errs.Conflict, "api_key_revoked", "this API key is revoked; create a new one")

// RotateAPIKey gives a key a new secret, keeping its previous one valid until
// until, and returns the key and its new token. The update is conditional on
// the secret it replaces, so two rotations at once cannot both win.
func (s *Store) RotateAPIKey(ctx context.Context, orgID string, mode checkout.Mode, id string, now, until time.Time) (*auth.APIKey, string, error) {
	k, err := s.OrgAPIKey(ctx, orgID, mode, id)
	if err != nil {
		return nil, "", err
	}
	if !k.Active() {
		return nil, "", ErrKeyRevoked
	}
	old := k.SecretHash
	token := k.RotateWithGrace(now, until)
	res, err := s.write.NewUpdate().Model((*auth.APIKey)(nil)).
		Set("secret_hash = ?", k.SecretHash).Set("previous_secret_hash = ?", k.PreviousSecretHash).
		Set("previous_until = ?", bun.NullTime{Time: k.PreviousUntil}).
		Where("id = ?", id).Where("secret_hash = ?", old).Where("revoked_at IS NULL").Exec(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("rotating API key: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, "", errs.New(errs.Conflict, "conflict", "the key changed while it was being rotated; try again")
	}
	return k, token, nil
}

// DeleteAPIKey removes a key of the organization in mode.
func (s *Store) DeleteAPIKey(ctx context.Context, orgID string, mode checkout.Mode, id string) error {
	res, err := s.write.NewDelete().Model((*auth.APIKey)(nil)).Where("id = ?", id).
		Where("organization_id = ?", orgID).Where("mode = ?", mode).Exec(ctx)
	if err != nil {
		return fmt.Errorf("deleting API key: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("API key %s: %w", id, errs.ErrNotFound)
	}
	return nil
}
