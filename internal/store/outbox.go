package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/ids"
)

// Event is one row of the outbox: something that happened, written in the same
// transaction as the change that caused it. The notification worker turns
// events into deliveries.
type Event struct {
	bun.BaseModel  `bun:"table:outbox_events"`
	ID             string    `bun:",pk"`
	OrganizationID string    `bun:",notnull"`
	Type           string    `bun:",notnull"`
	SubjectType    string    `bun:",notnull"`
	SubjectID      string    `bun:",notnull"`
	Payload        string    `bun:",notnull"`
	CreatedAt      time.Time `bun:",notnull"`
	// Mode and SiteID are the checkout's the event is about.
	Mode   checkout.Mode `bun:",notnull"`
	SiteID string        `bun:",notnull"`
}

// addEvent writes an event about c (or one of its transactions) and the
// deliveries it causes, in the caller's transaction.
func (s *Store) addEvent(ctx context.Context, tx bun.Tx, c *checkout.Checkout, typ, subjectType, subjectID string, payload any, t time.Time) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encoding %s event: %w", typ, err)
	}
	e := &Event{
		ID: ids.New("evt"), OrganizationID: c.OrganizationID, Type: typ,
		SubjectType: subjectType, SubjectID: subjectID, Payload: string(b), CreatedAt: t, Mode: c.Mode, SiteID: c.SiteID,
	}
	if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("writing %s event: %w", typ, err)
	}
	return s.enqueue(ctx, tx, c, e, t)
}

// EventsFor returns the events about one subject, oldest first.
func (s *Store) EventsFor(ctx context.Context, subjectID string) ([]*Event, error) {
	var evs []*Event
	if err := s.read.NewSelect().Model(&evs).Where("subject_id = ?", subjectID).OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing events: %w", err)
	}
	return evs, nil
}

// EventFilter selects typed events for catch-up.
type EventFilter struct {
	OrganizationID string
	Mode           checkout.Mode
	// Types are the event types asked for; none means every typed event.
	Types []string
	// Since is the earliest time, inclusive.
	Since time.Time
	Limit int
}

// ListEvents returns up to Limit+1 events, oldest first, so the caller can
// tell whether more follow.
func (s *Store) ListEvents(ctx context.Context, f EventFilter) ([]*Event, error) {
	var evs []*Event
	q := s.read.NewSelect().Model(&evs).Where("organization_id = ?", f.OrganizationID).Where("mode = ?", f.Mode).
		Where("type IN (?)", bun.In(f.Types))
	if !f.Since.IsZero() {
		q = q.Where("created_at >= ?", f.Since.UTC())
	}
	if err := q.OrderExpr("created_at, id").Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing events: %w", err)
	}
	return evs, nil
}
