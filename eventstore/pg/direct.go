package pg

import (
	"context"
	"errors"
	"fmt"

	"github.com/orderflow/orderflow/eventstore"
)

// The direct path. An append that finds a transaction slot free and no one
// queued is written at once from the caller's goroutine. A one-event append
// is one prepared statement in autocommit (statements.go): one round trip,
// no flusher hand-off and no explicit transaction. A longer one is written
// as a group commit of one. Anything but a plain success goes on to single,
// which tells a retry from a conflict.

// errNotWritten means a direct statement stored nothing: the expected
// revision did not hold, or the event is stored already.
var errNotWritten = errors.New("not written")

// direct writes req at once from the calling goroutine, and reports whether
// its statement carried a NOTIFY.
func (b *batcher) direct(ctx context.Context, req appendRequest) (eventstore.AppendResult, bool, error) {
	write := b.insertMany
	if len(req.ids) == 1 {
		write = b.insertOne
	}
	notified := b.notify.claim()
	res, err := write(ctx, req, notified)
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
// its notifying twin when notify is set. It runs below pgx's query layer:
// the statement is prepared once per connection, its arguments encoded in
// PostgreSQL's binary format here and the returned row read straight off
// the connection, which saves the client a few microseconds per append
// (client-µs/op in BenchmarkAppend).
func (b *batcher) insertOne(ctx context.Context, req appendRequest, notify bool) (eventstore.AppendResult, error) {
	sql, params := oneParams(req, notify)
	conn, err := b.pool.Acquire(ctx)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	defer conn.Release()
	sd, err := conn.Conn().Prepare(ctx, sql, sql)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	rr := conn.Conn().PgConn().ExecStatement(ctx, sd, params, binaryFormats[:len(params)], binaryFormats[:3])
	var (
		res eventstore.AppendResult
		got bool
	)
	for rr.NextRow() {
		res, got = decodeOne(rr.Values())
	}
	if _, err := rr.Close(); err != nil {
		return eventstore.AppendResult{}, err
	}
	if !got {
		return eventstore.AppendResult{}, errNotWritten
	}
	return res, nil
}

// insertMany writes a request of several events as a group commit of one,
// announcing it when notify is set.
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

// isNotifyQueueFull reports the error a commit with a NOTIFY fails with
// when PostgreSQL's notification queue is full (program_limit_exceeded).
func isNotifyQueueFull(err error) bool { return hasSQLState(err, "54000") }
