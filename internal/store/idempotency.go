package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Idempotency record states.
const (
	IdemInFlight = "in_flight"
	IdemDone     = "done"
)

// idemLock is how long a claim protects a request in flight. A claim older
// than that belonged to a process that died, and may be taken over.
const idemLock = time.Minute

// IdempotencyRecord remembers the first request made with an Idempotency-Key
// and, once it finished, its answer.
type IdempotencyRecord struct {
	bun.BaseModel  `bun:"table:idempotency_keys"`
	OrganizationID string    `bun:",pk"`
	IdemKey        string    `bun:",pk"`
	RequestHash    string    `bun:",notnull"`
	State          string    `bun:",notnull"`
	ResponseStatus int       `bun:",notnull"`
	ResponseBody   string    `bun:",notnull"`
	LockedUntil    time.Time `bun:",notnull"`
	CreatedAt      time.Time `bun:",notnull"`
}

// IdempotencyResult completes a claimed record with the answer to replay.
type IdempotencyResult struct {
	OrganizationID string
	Key            string
	Status         int
	Body           []byte
}

// ClaimIdempotency claims key for a request with the given hash. It returns
// claimed=true when this request may run; otherwise the existing record,
// which the caller compares (hash) and replays (done) or refuses (in flight).
func (s *Store) ClaimIdempotency(ctx context.Context, orgID, key, hash string) (rec *IdempotencyRecord, claimed bool, err error) {
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		rec, claimed, err = s.claimIdempotency(ctx, tx, orgID, key, hash)
		return err
	})
	return rec, claimed, err
}

func (s *Store) claimIdempotency(ctx context.Context, tx bun.Tx, orgID, key, hash string) (*IdempotencyRecord, bool, error) {
	t := now()
	rec := &IdempotencyRecord{
		OrganizationID: orgID, IdemKey: key, RequestHash: hash, State: IdemInFlight,
		LockedUntil: t.Add(idemLock), CreatedAt: t,
	}
	args, err := s.stmts.claimIdempotency.args(s, rec)
	if err != nil {
		return nil, false, fmt.Errorf("claiming idempotency key: %w", err)
	}
	res, err := s.execPrepared(ctx, tx, s.stmts.claimIdempotency.sql, args...)
	if err != nil {
		return nil, false, fmt.Errorf("claiming idempotency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return rec, true, nil
	}
	existing := new(IdempotencyRecord)
	if err := tx.NewSelect().Model(existing).Where("organization_id = ?", orgID).Where("idem_key = ?", key).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("loading idempotency key: %w", err)
	}
	if existing.State == IdemInFlight && existing.RequestHash == hash && existing.LockedUntil.Before(t) {
		// The process that claimed it is gone; take the claim over.
		res, err := tx.NewUpdate().Model((*IdempotencyRecord)(nil)).Set("locked_until = ?", t.Add(idemLock)).
			Where("organization_id = ?", orgID).Where("idem_key = ?", key).
			Where("state = ?", IdemInFlight).Where("locked_until = ?", existing.LockedUntil).Exec(ctx)
		if err != nil {
			return nil, false, fmt.Errorf("taking over idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return existing, true, nil
		}
	}
	return existing, false, nil
}

// CompleteIdempotency stores the answer of a claimed request.
func (s *Store) CompleteIdempotency(ctx context.Context, r *IdempotencyResult) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return s.completeIdempotency(ctx, tx, r)
	})
}

func (s *Store) completeIdempotency(ctx context.Context, tx bun.Tx, r *IdempotencyResult) error {
	_, err := s.execPrepared(ctx, tx, s.stmts.completeIdempotency, IdemDone, r.Status, string(r.Body), r.OrganizationID, r.Key)
	if err != nil {
		return fmt.Errorf("completing idempotency key: %w", err)
	}
	return nil
}

// ReleaseIdempotency forgets a claim whose request failed before doing
// anything, so that the client may retry with the same key.
func (s *Store) ReleaseIdempotency(ctx context.Context, orgID, key string) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewDelete().Model((*IdempotencyRecord)(nil)).
			Where("organization_id = ?", orgID).Where("idem_key = ?", key).Where("state = ?", IdemInFlight).Exec(ctx)
		if err != nil {
			return fmt.Errorf("releasing idempotency key: %w", err)
		}
		return nil
	})
}

// PruneIdempotency deletes finished records older than maxAge.
func (s *Store) PruneIdempotency(ctx context.Context, maxAge time.Duration) (int64, error) {
	res, err := s.write.NewDelete().Model((*IdempotencyRecord)(nil)).
		Where("created_at < ?", now().Add(-maxAge)).Where("state = ?", IdemDone).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("pruning idempotency keys: %w", err)
	}
	return res.RowsAffected()
}
