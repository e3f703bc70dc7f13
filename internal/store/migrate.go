package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun/migrate"

	"github.com/pgw/pgw/internal/store/migrations"
)

func (s *Store) migrator() (*migrate.Migrator, error) {
	ms, err := migrations.New()
	if err != nil {
		return nil, err
	}
	return migrate.NewMigrator(s.write, ms, migrate.WithMarkAppliedOnSuccess(true)), nil
}

// Migrate applies every migration not yet applied and returns their names.
// Concurrent runs are serialized by bun's migration lock.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	m, err := s.migrator()
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("creating migration tables: %w", err)
	}
	if err := m.Lock(ctx); err != nil {
		return nil, fmt.Errorf("taking the migration lock: %w", err)
	}
	defer m.Unlock(context.WithoutCancel(ctx)) //nolint:errcheck // best effort; a stale lock is reported by the next run
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrating: %w", err)
	}
	var names []string
	for _, mg := range group.Migrations {
		names = append(names, mg.String())
	}
	return names, nil
}

// CheckMigrated returns ErrNotMigrated unless every migration this binary
// knows has been applied.
func (s *Store) CheckMigrated(ctx context.Context) error {
	m, err := s.migrator()
	if err != nil {
		return err
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return fmt.Errorf("%w (%v)", ErrNotMigrated, err)
	}
	if un := ms.Unapplied(); len(un) > 0 {
		return fmt.Errorf("%w (%d migrations pending, first %s)", ErrNotMigrated, len(un), un[0].String())
	}
	return nil
}
