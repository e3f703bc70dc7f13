// Package migrations holds the schema changes of the store as dated Go files
// (YYYYMMDDHHMMSS_name.go), compiled into every binary.
package migrations

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"
)

// New returns every migration, in the order of their file names.
func New() (*migrate.Migrations, error) {
	m := migrate.NewMigrations()
	for _, register := range []func(*migrate.Migrations) error{
		register20261121000000,
		register20261121060000,
		register20261121070000,
		register20261121080000,
		register20261121090000,
		register20261121100000,
		register20261121110000,
		register20261203090000,
		register20261203100000,
		register20261203120000,
		register20261203140000,
		register20261203160000,
		register20261203170000,
		register20261203180000,
		register20261203190000,
		register20261203200000,
		register20261204000000,
		register20261204010000,
		register20261204020000,
		register20261204030000,
		register20261204040000,
	} {
		if err := register(m); err != nil {
			return nil, fmt.Errorf("registering migration: %w", err)
		}
	}
	return m, nil
}

// execAll runs statements separated by ";" in one transaction. Column types are
// written once for both engines: TIMESTAMPTZ becomes TIMESTAMP on SQLite, whose
// driver and bun then read and write the values as UTC text.
func execAll(ctx context.Context, db *bun.DB, script string) error {
	if db.Dialect().Name() == dialect.SQLite {
		script = strings.ReplaceAll(script, "TIMESTAMPTZ", "TIMESTAMP")
	}
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, stmt := range strings.Split(script, ";") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("%w in %s", err, strings.TrimSpace(stmt))
			}
		}
		return nil
	})
}
