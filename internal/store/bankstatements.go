package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/statement"
)

// BankStatement is an uploaded statement and what came of its entries.
type BankStatement struct {
	bun.BaseModel  `bun:"table:bank_statements"`
	ID             string        `bun:",pk"`
	OrganizationID string        `bun:",notnull"`
	Mode           checkout.Mode `bun:",notnull"`
	Format         string        `bun:",notnull"`
	Filename       string        `bun:",notnull"`
	EntriesRead    int           `bun:",notnull"`
	Skipped        int           `bun:",notnull"`
	Matched        int           `bun:",notnull"`
	AlreadyApplied int           `bun:",notnull"`
	Unmatched      int           `bun:",notnull"`
	UploadedAt     time.Time     `bun:",notnull"`
}

// SaveStatement records an uploaded statement's counts.
func (s *Store) SaveStatement(ctx context.Context, st *BankStatement) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(st).Exec(ctx); err != nil {
			return fmt.Errorf("recording the statement: %w", err)
		}
		return nil
	})
}

// ListStatements returns the mode's uploaded statements, newest first.
func (s *Store) ListStatements(ctx context.Context, orgID string, mode checkout.Mode, limit int) ([]*BankStatement, error) {
	var sts []*BankStatement
	if err := s.read.NewSelect().Model(&sts).Where("organization_id = ?", orgID).Where("mode = ?", mode).
		OrderExpr("uploaded_at DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing statements: %w", err)
	}
	return sts, nil
}

type csvProfileRow struct {
	bun.BaseModel  `bun:"table:bank_csv_profiles"`
	OrganizationID string    `bun:",pk"`
	Profile        string    `bun:",notnull"`
	UpdatedAt      time.Time `bun:",notnull"`
}

// CSVProfile returns the organization's CSV statement profile, or nil when
// it saved none.
func (s *Store) CSVProfile(ctx context.Context, orgID string) (*statement.Profile, error) {
	row := new(csvProfileRow)
	err := s.read.NewSelect().Model(row).Where("organization_id = ?", orgID).Scan(ctx)
	if errors.Is(err, errNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("loading the CSV profile: %w", err)
	}
	p := new(statement.Profile)
	if err := json.Unmarshal([]byte(row.Profile), p); err != nil {
		return nil, fmt.Errorf("reading the CSV profile: %w", err)
	}
	return p, nil
}

// SaveCSVProfile stores the organization's CSV statement profile.
func (s *Store) SaveCSVProfile(ctx context.Context, orgID string, p *statement.Profile) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encoding the CSV profile: %w", err)
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(&csvProfileRow{OrganizationID: orgID, Profile: string(b), UpdatedAt: now()}).
			On("CONFLICT (organization_id) DO UPDATE").Set("profile = EXCLUDED.profile, updated_at = EXCLUDED.updated_at").Exec(ctx)
		if err != nil {
			return fmt.Errorf("saving the CSV profile: %w", err)
		}
		return nil
	})
}
