package pg

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

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

// errNotWritten means a direct statement stored nothing: the expected
// revision did not hold, or the event is stored already.
var errNotWritten = errors.New("not written")

// direct writes req at once from the calling goroutine. Anything but a
// plain success goes on to single, which tells a retry from a conflict.
func (b *batcher) direct(ctx context.Context, req appendRequest) (eventstore.AppendResult, error) {
	var (
		res eventstore.AppendResult
		err error
	)
	if len(req.ids) == 1 {
		res, err = b.insertOne(ctx, req)
	} else {
		res, err = b.insertMany(ctx, req)
	}
	if errors.Is(err, errNotWritten) || isUniqueViolation(err) {
		return b.single(ctx, req)
	}
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", req.stream, err)
	}
	return res, nil
}

// insertOne runs the one-event statement that fits req's expected revision.
func (b *batcher) insertOne(ctx context.Context, req appendRequest) (eventstore.AppendResult, error) {
	args := []any{req.ids[0], req.stream, eventstore.Category(req.stream), req.types[0], req.data[0], req.meta[0]}
	sql := insertNewSQL
	switch e := req.expected; {
	case e.IsNoStream():
	case e.IsAny() || e.IsStreamExists():
		sql, args = insertLastSQL, append(args, e.IsStreamExists())
	default:
		rev, _ := e.Revision()
		sql, args = insertAfterSQL, append(args, int64(rev))
	}
	var (
		revision, prepare int64
		commit            uint64
	)
	err := b.pool.QueryRow(ctx, sql, args...).Scan(&revision, &commit, &prepare)
	if errors.Is(err, pgx.ErrNoRows) {
		return eventstore.AppendResult{}, errNotWritten
	}
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	return eventstore.AppendResult{
		Revision: uint64(revision),
		Position: eventstore.Position{Commit: commit, Prepare: uint64(prepare)},
	}, nil
}

// insertMany writes a request of several events with appendBatchSQL, as a
// group commit of one.
func (b *batcher) insertMany(ctx context.Context, req appendRequest) (eventstore.AppendResult, error) {
	outcomes, err := b.writeBatch(ctx, []*call{{req: req}})
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if outcomes[0].status != statusAppended {
		return eventstore.AppendResult{}, errNotWritten
	}
	return outcomes[0].result(req)
}
