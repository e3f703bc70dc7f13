package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
)

// maxBatch bounds how many creates share one SQLite transaction.
const maxBatch = 128

// batcher is group commit for SQLite: creates that arrive while a commit is
// under way wait in a queue, and the next transaction takes all of them, so
// many creates pay for one lock and one fsync. A batch that fails is retried
// one create at a time, so a bad create never fails its neighbours.
type batcher struct {
	s    *Store
	reqs chan *createReq
	quit chan struct{}
	done chan struct{}
}

type createReq struct {
	ctx  context.Context
	c    *checkout.Checkout
	idem *IdempotencyResult
	err  chan error
}

func newBatcher(s *Store) *batcher {
	b := &batcher{s: s, reqs: make(chan *createReq, maxBatch), quit: make(chan struct{}), done: make(chan struct{})}
	if s.dialect == SQLite {
		go b.run()
	} else {
		close(b.done)
	}
	return b
}

func (b *batcher) submit(ctx context.Context, c *checkout.Checkout, idem *IdempotencyResult) error {
	r := &createReq{ctx: ctx, c: c, idem: idem, err: make(chan error, 1)}
	select {
	case b.reqs <- r:
	case <-b.quit:
		return fmt.Errorf("inserting checkout: store is closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the create runs even if the caller gives up, so the answer
	// is awaited regardless: a caller never reports failure for a stored row.
	return <-r.err
}

func (b *batcher) run() {
	defer close(b.done)
	for {
		var first *createReq
		select {
		case first = <-b.reqs:
		case <-b.quit:
			b.drain()
			return
		}
		batch := []*createReq{first}
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-b.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		b.commit(batch)
	}
}

func (b *batcher) commit(batch []*createReq) {
	ctx := context.WithoutCancel(batch[0].ctx)
	err := b.s.write.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, r := range batch {
			if err := insertCheckout(ctx, tx, r.c, r.idem); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || len(batch) == 1 {
		for _, r := range batch {
			r.err <- err
		}
		return
	}
	for _, r := range batch {
		r.err <- b.s.write.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return insertCheckout(ctx, tx, r.c, r.idem)
		})
	}
}

// drain answers what is still queued after close.
func (b *batcher) drain() {
	for {
		select {
		case r := <-b.reqs:
			b.commit([]*createReq{r})
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
