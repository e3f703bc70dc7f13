package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// Dashboard sign-in sessions, kept on the server so that signing out, removing
// a user or changing a role takes effect at once.
func register20261121110000(m *migrate.Migrations) error {
	return m.Register(func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `
CREATE TABLE user_sessions (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	created_at TIMESTAMPTZ NOT NULL,
	seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions (user_id)`)
	}, func(ctx context.Context, db *bun.DB) error {
		return execAll(ctx, db, `DROP TABLE user_sessions`)
	})
}
