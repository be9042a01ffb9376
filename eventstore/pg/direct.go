package pg

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/orderflow/orderflow/eventstore"
)

// The direct path. An append that finds a transaction slot free and no one
// queued is written at once from the caller's goroutine, as one prepared
// statement in autocommit: one round trip, no flusher hand-off and no
// explicit transaction. A one-event append uses the statement below that
// fits its expected revision; it checks the revision with at most one index
// probe and inserts. As in a group commit, a retry, a conflict or a lost
// race shows as no row or a unique-key violation, and only then does the
// append go through eventstore.append, which tells them apart.

// insertNewSQL appends the first event of a stream (expected NoStream):
// revision 0, so an existing stream fails on the (stream_id, revision) key.
const insertNewSQL = `INSERT INTO eventstore.events (event_id, stream_id, category, revision, type, data, metadata)
VALUES ($1, $2, $3, 0, $4, $5, $6)
RETURNING revision, transaction_id, position`

// insertAfterSQL appends one event after revision $7 (expected Exact). The
// stream's revisions are dense, so when revision $7 exists and $7+1 is
// free, $7 is the stream's last.
const insertAfterSQL = `INSERT INTO eventstore.events (event_id, stream_id, category, revision, type, data, metadata)
SELECT $1, $2, $3, $7::bigint + 1, $4, $5, $6
 WHERE EXISTS (SELECT FROM eventstore.events e WHERE e.stream_id = $2 AND e.revision = $7::bigint)
RETURNING revision, transaction_id, position`

// insertLastSQL appends one event after the stream's last (expected Any,
// or StreamExists when $7 is true).
const insertLastSQL = `INSERT INTO eventstore.events (event_id, stream_id, category, revision, type, data, metadata)
SELECT $1, $2, $3, coalesce(c.cur, -1) + 1, $4, $5, $6
  FROM (SELECT max(e.revision) AS cur FROM eventstore.events e WHERE e.stream_id = $2) c
 WHERE NOT $7::boolean OR c.cur IS NOT NULL
RETURNING revision, transaction_id, position`

// Each one-event statement has a twin that also announces the append, for
// the append that finds a NOTIFY due (see notifier): the NOTIFY is
// delivered when the append commits, at no extra round trip or commit, and
// not at all when the statement inserts nothing.
const (
	notifyingSelect      = ` SELECT a.revision, a.transaction_id, a.position FROM a, pg_notify('` + channel + `', '') n`
	insertNewNotifySQL   = `WITH a AS (` + insertNewSQL + `)` + notifyingSelect
	insertAfterNotifySQL = `WITH a AS (` + insertAfterSQL + `)` + notifyingSelect
	insertLastNotifySQL  = `WITH a AS (` + insertLastSQL + `)` + notifyingSelect
)

// errNotWritten means a direct statement stored nothing: the expected
// revision did not hold, or the event is stored already.
var errNotWritten = errors.New("not written")

// direct writes req at once from the calling goroutine, and reports whether
// its statement carried a NOTIFY. Anything but a plain success goes on to
// single, which tells a retry from a conflict.
func (b *batcher) direct(ctx context.Context, req appendRequest) (eventstore.AppendResult, bool, error) {
	var (
		res      eventstore.AppendResult
		notified bool
		err      error
	)
	write := b.insertMany
	if len(req.ids) == 1 {
		write = b.insertOne
	}
	notified = b.notify.claim()
	res, err = write(ctx, req, notified)
	if notified && isNotifyQueueFull(err) {
		// The NOTIFY, not the append, failed: store it without.
		b.notify.logger.WarnContext(ctx, "event store notify failed", "err", err)
		notified = false
		res, err = write(ctx, req, false)
	}
	if errors.Is(err, errNotWritten) || isUniqueViolation(err) {
		res, err = b.single(ctx, req)
		return res, false, err
	}
	if err != nil {
		return eventstore.AppendResult{}, false, fmt.Errorf("append to %s: %w", req.stream, err)
	}
	return res, notified, nil
}

// insertOne runs the one-event statement that fits req's expected revision,
// its notifying twin when notify is set.
func (b *batcher) insertOne(ctx context.Context, req appendRequest, notify bool) (eventstore.AppendResult, error) {
	args := []any{req.ids[0], req.stream, eventstore.Category(req.stream), req.types[0], req.data[0], req.meta[0]}
	var sql string
	switch e := req.expected; {
	case e.IsNoStream():
		sql = pick(notify, insertNewSQL, insertNewNotifySQL)
	case e.IsAny() || e.IsStreamExists():
		sql, args = pick(notify, insertLastSQL, insertLastNotifySQL), append(args, e.IsStreamExists())
	default:
		rev, _ := e.Revision()
		sql, args = pick(notify, insertAfterSQL, insertAfterNotifySQL), append(args, int64(rev))
	}
	// One struct for the three targets: one allocation instead of three.
	var row struct {
		revision, prepare int64
		commit            uint64
	}
	err := b.pool.QueryRow(ctx, sql, args...).Scan(&row.revision, &row.commit, &row.prepare)
	if errors.Is(err, pgx.ErrNoRows) {
		return eventstore.AppendResult{}, errNotWritten
	}
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	return eventstore.AppendResult{
		Revision: uint64(row.revision),
		Position: eventstore.Position{Commit: row.commit, Prepare: uint64(row.prepare)},
	}, nil
}

// pick returns plain, or notifying when notify is set.
func pick(notify bool, plain, notifying string) string {
	if notify {
		return notifying
	}
	return plain
}

// isNotifyQueueFull reports the error a commit with a NOTIFY fails with
// when PostgreSQL's notification queue is full (program_limit_exceeded).
func isNotifyQueueFull(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "54000"
}

// insertMany writes a request of several events with appendBatchSQL, as a
// group commit of one, announcing it when notify is set.
func (b *batcher) insertMany(ctx context.Context, req appendRequest, notify bool) (eventstore.AppendResult, error) {
	outcomes, err := b.writeBatch(ctx, []*call{{req: req}}, notify)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if outcomes[0].status != statusAppended {
		return eventstore.AppendResult{}, errNotWritten
	}
	return outcomes[0].result(req)
}
