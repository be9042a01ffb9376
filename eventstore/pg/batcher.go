package pg

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
)

// Group commit. An append that finds a transaction slot free and no one
// queued goes straight out as one statement (direct.go). Appends that
// arrive while every slot is busy queue up, and a flusher, once it has a
// slot, takes everything queued (up to maxBatchEvents, one request per
// stream) into a single appendBatchSQL statement: one round trip and one
// commit for many appends, each still getting its own result or conflict.
// A flusher keeps its slot while appends are queued, and one waiting for a
// slot gets the next one freed: queued appends go before new direct ones.
// appendBatchSQL is the lean path: it checks revisions and inserts.
// Retries, races and conflicts surface as unique-key violations or conflict
// statuses, and only then do the requests go one by one through
// eventstore.append, which tells a retry from a conflict.

const (
	// DefaultFlushers is how many append transactions, direct or group
	// commits, may be in flight at once.
	DefaultFlushers = 4
	// maxBatchEvents caps the events of one group commit.
	maxBatchEvents = 2048
	// batchTimeout bounds one group commit.
	batchTimeout = 30 * time.Second
)

// appendBatchSQL appends several requests, to distinct streams, in one
// statement. Events are flattened request by request; $8 and $9 give each
// event's request and its place in it (both 1-based). It returns one row
// per request, in order: whether it was appended, the stream's revision
// after it (or the actual revision when the expected one did not match),
// and the position of its last event. It does not look for stored event
// ids: a retried batch fails on the event_id unique key.
const appendBatchSQL = appendBatchBody + appendBatchOrder

const appendBatchBody = `WITH req AS (
  SELECT r.stream, r.expected, r.cnt, r.ord,
         (SELECT max(e.revision) FROM eventstore.events e WHERE e.stream_id = r.stream) AS cur
    FROM unnest($1::text[], $2::bigint[], $3::int[]) WITH ORDINALITY AS r(stream, expected, cnt, ord)
), ok AS (
  SELECT req.*, (expected = -1 OR (expected = -2 AND cur IS NULL) OR (expected = -3 AND cur IS NOT NULL)
                 OR (expected >= 0 AND cur IS NOT DISTINCT FROM expected)) AS ok
    FROM req
), ins AS (
  INSERT INTO eventstore.events (event_id, stream_id, category, revision, type, data, metadata)
  SELECT u.id, ok.stream, split_part(ok.stream, '-', 1), coalesce(ok.cur, -1) + u.o, u.typ, u.dat, u.meta
    FROM unnest($4::uuid[], $5::text[], $6::bytea[], $7::bytea[], $8::int[], $9::int[])
         WITH ORDINALITY AS u(id, typ, dat, meta, req, o, n)
    JOIN ok ON ok.ord = u.req AND ok.ok
   ORDER BY u.n
  RETURNING stream_id, position, transaction_id
), last AS (
  SELECT stream_id, max(position) AS position, max(transaction_id) AS xid FROM ins GROUP BY stream_id
)
SELECT CASE WHEN ok.ok THEN 0 ELSE 1 END::smallint,
       CASE WHEN ok.ok THEN coalesce(ok.cur, -1) + ok.cnt ELSE ok.cur END,
       last.xid, last.position
  FROM ok LEFT JOIN last ON last.stream_id = ok.stream`

const appendBatchOrder = `
 ORDER BY ok.ord`

// appendBatchNotifySQL is appendBatchSQL that also announces the appends,
// for the group commit that finds a NOTIFY due (see notifier).
const appendBatchNotifySQL = appendBatchBody + `, pg_notify('` + channel + `', '') n` + appendBatchOrder

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
		case isUniqueViolation(err):
			// An event id is stored already (a retry), or another
			// transaction took a revision first. The batch was rolled back
			// whole: take its calls one at a time through the path that
			// answers both.
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

// writeBatch runs appendBatchSQL, or appendBatchNotifySQL when notify is
// set, and returns one outcome per call.
func (b *batcher) writeBatch(ctx context.Context, batch []*call, notify bool) ([]outcome, error) {
	n := 0
	for _, c := range batch {
		n += len(c.req.ids)
	}
	var (
		streams  = make([]string, len(batch))
		expected = make([]int64, len(batch))
		counts   = make([]int32, len(batch))
		ids      = make([][16]byte, 0, n)
		types    = make([]string, 0, n)
		data     = make([][]byte, 0, n)
		meta     = make([][]byte, 0, n)
		reqs     = make([]int32, 0, n)
		ords     = make([]int32, 0, n)
	)
	for i, c := range batch {
		streams[i], expected[i], counts[i] = c.req.stream, expectedCode(c.req.expected), int32(len(c.req.ids))
		ids = append(ids, c.req.ids...)
		types = append(types, c.req.types...)
		data = append(data, c.req.data...)
		meta = append(meta, c.req.meta...)
		for j := range c.req.ids {
			reqs = append(reqs, int32(i+1))
			ords = append(ords, int32(j+1))
		}
	}
	rows, err := b.pool.Query(ctx, pick(notify, appendBatchSQL, appendBatchNotifySQL), streams, expected, counts, ids, types, data, meta, reqs, ords)
	if err != nil {
		return nil, err
	}
	outcomes, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outcome, error) {
		var o outcome
		err := row.Scan(&o.status, &o.revision, &o.commit, &o.prepare)
		return o, err
	})
	if err != nil {
		return nil, err
	}
	if len(outcomes) != len(batch) {
		return nil, fmt.Errorf("group commit of %d appends returned %d results", len(batch), len(outcomes))
	}
	return outcomes, nil
}
