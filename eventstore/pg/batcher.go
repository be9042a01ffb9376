package pg

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
)

// Group commit. An append that finds a transaction slot free and no one
// queued goes straight out as one statement (direct.go). Appends that
// arrive while every slot is busy queue up, and a flusher, once it has a
// slot, takes everything queued (up to maxBatchEvents, one request per
// stream) into one group commit: each request's own lean statement, all
// sent in one round trip and committed together, each caller still getting
// its own result or conflict. A flusher keeps its slot while appends are
// queued, and one waiting for a slot gets the next one freed: queued
// appends go before new direct ones. Retries, races and conflicts surface
// as unique-key violations or conflict statuses, and only then do the
// requests go one by one through eventstore.append, which tells a retry
// from a conflict.

const (
	// DefaultFlushers is how many append transactions, direct or group
	// commits, may be in flight at once.
	DefaultFlushers = 4
	// maxBatchEvents caps the events of one group commit.
	maxBatchEvents = 2048
	// batchTimeout bounds one group commit.
	batchTimeout = 30 * time.Second
)

// call is one Append waiting for its group commit.
type call struct {
	ctx  context.Context
	req  appendRequest
	done chan struct{}
	res  eventstore.AppendResult
	err  error
	// notified says the statement that stored it carried a NOTIFY.
	notified bool
}

type batcher struct {
	pool  *pgxpool.Pool
	queue chan *call
	// slots holds a token for every append transaction in flight.
	slots  chan struct{}
	single func(ctx context.Context, req appendRequest) (eventstore.AppendResult, error)
	// notify is claimed by each append statement, direct or group
	// commit, so that it carries the NOTIFY when one is due.
	notify *notifier
	// closed is closed when the store closes: no flusher takes calls then.
	closed <-chan struct{}
}

// ErrClosed is returned by an Append on a closed Store. It wraps
// eventstore.ErrUnavailable: the process is stopping, and the caller may
// try again elsewhere (the API answers 503).
var ErrClosed = fmt.Errorf("event store closed: %w", eventstore.ErrUnavailable)

// submit writes req at once when a slot is free and no one is queued, and
// otherwise queues it for a flusher. It waits for the result or the end of
// ctx, and reports whether the append's statement carried a NOTIFY. A call
// abandoned by its ctx may still be written: its caller retries with the
// same event ids.
func (b *batcher) submit(ctx context.Context, req appendRequest) (eventstore.AppendResult, bool, error) {
	select {
	case <-b.closed:
		return eventstore.AppendResult{}, false, fmt.Errorf("append to %s: %w", req.stream, ErrClosed)
	default:
	}
	select {
	case b.slots <- struct{}{}:
		defer func() { <-b.slots }()
		return b.direct(ctx, req)
	default:
	}
	c := &call{ctx: ctx, req: req, done: make(chan struct{})}
	select {
	case b.queue <- c:
	case <-ctx.Done():
		return eventstore.AppendResult{}, false, ctx.Err()
	case <-b.closed:
		return eventstore.AppendResult{}, false, fmt.Errorf("append to %s: %w", req.stream, ErrClosed)
	}
	select {
	case <-c.done:
		return c.res, c.notified, c.err
	case <-ctx.Done():
		return eventstore.AppendResult{}, false, ctx.Err()
	}
}

// flush runs one flusher until ctx ends. It takes a slot for the first
// queued call, gathers what queued meanwhile, and keeps the slot for as long
// as calls keep queuing.
func (b *batcher) flush(ctx context.Context) {
	var carry *call
	for {
		first := carry
		if first == nil {
			select {
			case <-ctx.Done():
				return
			case first = <-b.queue:
			}
			select {
			case b.slots <- struct{}{}:
			case <-ctx.Done():
				first.err = fmt.Errorf("append to %s: %w", first.req.stream, ErrClosed)
				close(first.done)
				return
			}
		}
		batch, next := b.gather(first)
		b.write(ctx, batch)
		carry = next
		if carry == nil {
			select {
			case carry = <-b.queue:
			default:
				<-b.slots
			}
		}
	}
}

// gather takes first and whatever else is queued, one call per stream and
// at most maxBatchEvents events. It returns the batch and a call that did
// not fit, to start the next one.
func (b *batcher) gather(first *call) ([]*call, *call) {
	batch := []*call{first}
	streams := map[string]bool{first.req.stream: true}
	events := len(first.req.ids)
	for {
		select {
		case c := <-b.queue:
			if streams[c.req.stream] || events+len(c.req.ids) > maxBatchEvents {
				return batch, c
			}
			batch = append(batch, c)
			streams[c.req.stream] = true
			events += len(c.req.ids)
		default:
			return batch, nil
		}
	}
}

// write stores a batch and hands every call its result.
func (b *batcher) write(ctx context.Context, batch []*call) {
	live := batch[:0]
	for _, c := range batch {
		if err := c.ctx.Err(); err != nil {
			c.err = err
			close(c.done)
			continue
		}
		live = append(live, c)
	}
	if len(live) == 0 {
		return
	}
	// Every group commit takes its streams' keys in the same order, so two
	// in flight together never wait for each other.
	slices.SortFunc(live, func(x, y *call) int { return strings.Compare(x.req.stream, y.req.stream) })
	ctx, cancel := context.WithTimeout(ctx, batchTimeout)
	defer cancel()
	notify := b.notify.claim()
	outcomes, err := b.writeBatch(ctx, live, notify)
	if notify && isNotifyQueueFull(err) {
		// The NOTIFY, not the appends, failed: store them without.
		b.notify.logger.WarnContext(ctx, "event store notify failed", "err", err)
		notify = false
		outcomes, err = b.writeBatch(ctx, live, false)
	}
	for i, c := range live {
		switch {
		case isUniqueViolation(err) || isDeadlock(err):
			// An event id is stored already (a retry), or another
			// transaction took a revision first, or one that holds a
			// revision this batch needs waited for one the batch holds
			// (an AppendTx). The batch was rolled back whole: take its
			// calls one at a time through the path that answers each.
			c.res, c.err = b.single(c.ctx, c.req)
		case err != nil:
			c.err = fmt.Errorf("append to %s: %w", c.req.stream, err)
		case outcomes[i].status == statusConflict:
			// Maybe a retry of a stored batch rather than a conflict: the
			// single path tells them apart.
			c.res, c.err = b.single(c.ctx, c.req)
		default:
			c.res, c.err = outcomes[i].result(c.req)
			c.notified = notify && c.err == nil
		}
		close(c.done)
	}
}

// writeBatch stores a group commit: every call's statement (statements.go),
// and notifySQL when notify is set, sent together with one Sync, so that
// they run in one implicit transaction: one round trip and one commit. It
// returns one outcome per call. A statement whose expected revision does
// not hold inserts nothing and reports a conflict, and the others commit;
// an error in any statement rolls back the whole group.
func (b *batcher) writeBatch(ctx context.Context, batch []*call, notify bool) ([]outcome, error) {
	var pb pgx.Batch
	outcomes := make([]outcome, len(batch))
	for i, c := range batch {
		sql, args := statement(c.req)
		o := &outcomes[i]
		if len(c.req.ids) > 1 {
			pb.Queue(sql, args...).QueryRow(func(row pgx.Row) error {
				return row.Scan(&o.status, &o.revision, &o.commit, &o.prepare)
			})
			continue
		}
		pb.Queue(sql, args...).QueryRow(func(row pgx.Row) error {
			err := row.Scan(&o.revision, &o.commit, &o.prepare)
			if errors.Is(err, pgx.ErrNoRows) {
				o.status = statusConflict
				return nil
			}
			return err
		})
	}
	if notify {
		pb.Queue(notifySQL)
	}
	if err := b.pool.SendBatch(ctx, &pb).Close(); err != nil {
		return nil, err
	}
	return outcomes, nil
}
