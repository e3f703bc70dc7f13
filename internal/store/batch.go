package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// maxBatch bounds how many writes share one transaction.
const maxBatch = 128

// batcher is group commit: short write transactions that arrive while a commit
// is under way wait in a queue, and the next transaction runs all of them, so
// many writes pay for one lock and one fsync. SQLite gets one committer (it has
// one writer); PostgreSQL several. A batch that fails is rolled back and each
// of its writes retried alone, so one bad write never fails its neighbours;
// writes must therefore be safe to run again after a rollback.
type batcher struct {
	db   *bun.DB
	jobs chan *job
	quit chan struct{}
	done chan struct{}
}

type job struct {
	ctx context.Context
	fn  func(ctx context.Context, tx bun.Tx) error
	err chan error
}

func newBatcher(db *bun.DB, committers int) *batcher {
	b := &batcher{db: db, jobs: make(chan *job, maxBatch*committers), quit: make(chan struct{}), done: make(chan struct{})}
	finished := make(chan struct{}, committers)
	for range committers {
		go func() {
			b.run()
			finished <- struct{}{}
		}()
	}
	go func() {
		for range committers {
			<-finished
		}
		close(b.done)
	}()
	return b
}

// inTx runs fn in a write transaction shared with other concurrent writes.
func (s *Store) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	j := &job{ctx: ctx, fn: fn, err: make(chan error, 1)}
	select {
	case s.batch.jobs <- j:
	case <-s.batch.quit:
		return fmt.Errorf("store is closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the write runs even if the caller gives up, so its answer is
	// awaited regardless: a caller never reports failure for a stored write.
	return <-j.err
}

func (b *batcher) run() {
	for {
		var first *job
		select {
		case first = <-b.jobs:
		case <-b.quit:
			b.drain()
			return
		}
		batch := []*job{first}
	fill:
		for len(batch) < maxBatch {
			select {
			case j := <-b.jobs:
				batch = append(batch, j)
			default:
				break fill
			}
		}
		b.commit(batch)
	}
}

func (b *batcher) commit(batch []*job) {
	ctx := context.WithoutCancel(batch[0].ctx)
	err := b.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		ctx, closeStmts := withStmtCache(ctx, tx)
		defer closeStmts()
		for _, j := range batch {
			if err := j.fn(ctx, tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || len(batch) == 1 {
		for _, j := range batch {
			j.err <- err
		}
		return
	}
	for _, j := range batch {
		j.err <- b.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			ctx, closeStmts := withStmtCache(ctx, tx)
			defer closeStmts()
			return j.fn(ctx, tx)
		})
	}
}

// drain answers what is still queued after close.
func (b *batcher) drain() {
	for {
		select {
		case j := <-b.jobs:
			b.commit([]*job{j})
		default:
			return
		}
	}
}

func (b *batcher) close() {
	select {
	case <-b.quit:
	default:
		close(b.quit)
	}
	<-b.done
}
