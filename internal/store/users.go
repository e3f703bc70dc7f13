package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/tenant"
)

// ErrLastAdmin is returned when a change would leave an organization without an admin.
var ErrLastAdmin = errs.New(errs.Conflict, "last_admin", "an organization keeps at least one admin")

// ErrAlreadyMember is returned when a user is added to an organization twice.
var ErrAlreadyMember = errs.New(errs.Conflict, "already_member", "the user is already a member")

// Member is a user of an organization with their role there.
type Member struct {
	User tenant.User
	Role tenant.Role
	// Since is when they joined the organization.
	Since time.Time
}

// UserSession is a dashboard sign-in. ID is the hash of the token in the cookie.
type UserSession struct {
	bun.BaseModel  `bun:"table:user_sessions"`
	ID             string    `bun:",pk"`
	UserID         string    `bun:",notnull"`
	OrganizationID string    `bun:",notnull"`
	CreatedAt      time.Time `bun:",notnull"`
	SeenAt         time.Time `bun:",notnull"`
}

// FindUserByEmail returns the user with that email, compared case-insensitively.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (*tenant.User, error) {
	u := new(tenant.User)
	if err := s.read.NewSelect().Model(u).Where("lower(email) = ?", strings.ToLower(email)).Limit(1).Scan(ctx); err != nil {
		return nil, notFound(err, "user")
	}
	return u, nil
}

// UserOrganizations returns the organizations a user is a member of, in the
// order they joined.
func (s *Store) UserOrganizations(ctx context.Context, userID string) ([]*tenant.Organization, error) {
	var orgs []*tenant.Organization
	err := s.read.NewSelect().Model(&orgs).Join("JOIN memberships AS m ON m.organization_id = organization.id").
		Where("m.user_id = ?", userID).OrderExpr("m.created_at, organization.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the user's organizations: %w", err)
	}
	return orgs, nil
}

// GetMember returns a member of the organization; a user of another one is not found.
func (s *Store) GetMember(ctx context.Context, orgID, userID string) (*Member, error) {
	ms, err := s.members(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("member %s: %w", userID, errs.ErrNotFound)
	}
	return ms[0], nil
}

// ListMembers returns the organization's members by email.
func (s *Store) ListMembers(ctx context.Context, orgID string) ([]*Member, error) {
	return s.members(ctx, orgID, "")
}

func (s *Store) members(ctx context.Context, orgID, userID string) ([]*Member, error) {
	var rows []struct {
		tenant.User
		Role  tenant.Role
		Since time.Time
	}
	q := s.read.NewSelect().TableExpr("users AS u").
		ColumnExpr("u.id, u.email, u.name, u.password_hash, u.created_at, m.role, m.created_at AS since").
		Join("JOIN memberships AS m ON m.user_id = u.id").Where("m.organization_id = ?", orgID)
	if userID != "" {
		q = q.Where("u.id = ?", userID)
	}
	if err := q.OrderExpr("u.email").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("listing members: %w", err)
	}
	out := make([]*Member, len(rows))
	for i, r := range rows {
		out[i] = &Member{User: r.User, Role: r.Role, Since: r.Since}
	}
	return out, nil
}

// AddMember makes an existing user a member of the organization.
func (s *Store) AddMember(ctx context.Context, orgID, userID string, role tenant.Role) error {
	m := &tenant.Membership{OrganizationID: orgID, UserID: userID, Role: role, CreatedAt: now()}
	if _, err := s.write.NewInsert().Model(m).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return ErrAlreadyMember
		}
		return fmt.Errorf("inserting membership: %w", err)
	}
	return nil
}

// SetMemberRole changes a member's role; the last admin stays an admin.
func (s *Store) SetMemberRole(ctx context.Context, orgID, userID string, role tenant.Role) error {
	return s.changeMember(ctx, orgID, userID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*tenant.Membership)(nil)).Set("role = ?", role).
			Where("organization_id = ?", orgID).Where("user_id = ?", userID).Exec(ctx)
		return err
	}, role != tenant.RoleAdmin)
}

// RemoveMember takes a user out of the organization and ends their sessions there.
func (s *Store) RemoveMember(ctx context.Context, orgID, userID string) error {
	return s.changeMember(ctx, orgID, userID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*UserSession)(nil)).Where("organization_id = ?", orgID).Where("user_id = ?", userID).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewDelete().Model((*tenant.Membership)(nil)).Where("organization_id = ?", orgID).Where("user_id = ?", userID).Exec(ctx)
		return err
	}, true)
}

// changeMember runs change on a member in one transaction; when demotes, it
// refuses to take away the organization's last admin.
func (s *Store) changeMember(ctx context.Context, orgID, userID string, change func(context.Context, bun.Tx) error, demotes bool) error {
	return s.write.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var role tenant.Role
		err := tx.NewSelect().Model((*tenant.Membership)(nil)).Column("role").
			Where("organization_id = ?", orgID).Where("user_id = ?", userID).Scan(ctx, &role)
		if err != nil {
			return notFound(err, "member")
		}
		if demotes && role == tenant.RoleAdmin {
			n, err := tx.NewSelect().Model((*tenant.Membership)(nil)).
				Where("organization_id = ?", orgID).Where("role = ?", tenant.RoleAdmin).Count(ctx)
			if err != nil {
				return fmt.Errorf("counting admins: %w", err)
			}
			if n <= 1 {
				return ErrLastAdmin
			}
		}
		if err := change(ctx, tx); err != nil {
			return fmt.Errorf("changing member: %w", err)
		}
		return nil
	})
}

// CreateUserSession stores a new sign-in.
func (s *Store) CreateUserSession(ctx context.Context, us *UserSession) error {
	if _, err := s.write.NewInsert().Model(us).Exec(ctx); err != nil {
		return fmt.Errorf("inserting session: %w", err)
	}
	return nil
}

// GetUserSession returns a sign-in by its id.
func (s *Store) GetUserSession(ctx context.Context, id string) (*UserSession, error) {
	us := new(UserSession)
	if err := s.read.NewSelect().Model(us).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "session")
	}
	return us, nil
}

// TouchUserSession records that a sign-in was used at t.
func (s *Store) TouchUserSession(ctx context.Context, id string, t time.Time) error {
	if _, err := s.write.NewUpdate().Model((*UserSession)(nil)).Set("seen_at = ?", t).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("touching session: %w", err)
	}
	return nil
}

// DeleteUserSession ends a sign-in.
func (s *Store) DeleteUserSession(ctx context.Context, id string) error {
	if _, err := s.write.NewDelete().Model((*UserSession)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("deleting session: %w", err)
	}
	return nil
}

// DeleteUserSessionsBefore removes sign-ins created or last seen before the given times.
func (s *Store) DeleteUserSessionsBefore(ctx context.Context, created, seen time.Time) error {
	_, err := s.write.NewDelete().Model((*UserSession)(nil)).
		WhereOr("created_at < ?", created).WhereOr("seen_at < ?", seen).Exec(ctx)
	if err != nil {
		return fmt.Errorf("pruning sessions: %w", err)
	}
	return nil
}

// SetPassword changes a user's password hash and ends every session of the
// user except keep.
func (s *Store) SetPassword(ctx context.Context, userID, hash, keep string) error {
	return s.write.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*tenant.User)(nil)).Set("password_hash = ?", hash).Where("id = ?", userID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("updating password: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %s: %w", userID, errs.ErrNotFound)
		}
		if _, err := tx.NewDelete().Model((*UserSession)(nil)).Where("user_id = ?", userID).Where("id <> ?", keep).Exec(ctx); err != nil {
			return fmt.Errorf("ending sessions: %w", err)
		}
		return nil
	})
}
