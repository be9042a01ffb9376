package pg

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/orderflow/orderflow/eventstore"
)

// maxRaceRetries bounds how often an append re-runs after losing a race on
// a unique key to a concurrent append.
const maxRaceRetries = 16

// Statuses returned by the eventstore.append SQL function and appendManySQL.
const (
	statusAppended = 0
	statusConflict = 1
	statusReplayed = 2
	statusOverlap  = 3
)

const appendSQL = `SELECT status, revision, commit_pos, prepare_pos
FROM eventstore.append($1, $2, $3, $4, $5, $6)`

// querier runs a query: a *pgxpool.Pool, a *pgx.Conn or a pgx.Tx.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Append implements eventstore.Store. An append that finds no one waiting
// is written at once as one statement; appends that queue up are written
// together, several to a transaction (group commit). Each gets its own
// result.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	req, err := newAppendRequest(stream, expected, events)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	res, notified, err := s.batch.submit(ctx, req)
	s.appended(eventstore.Category(stream), notified)
	return res, err
}

// appendAlone writes one request in its own transaction, re-running it when
// a concurrent append wins a race on a unique key.
func (s *Store) appendAlone(ctx context.Context, req appendRequest) (eventstore.AppendResult, error) {
	for attempt := 0; ; attempt++ {
		res, err := req.run(ctx, s.pool)
		if isUniqueViolation(err) && attempt < maxRaceRetries {
			// The winner has committed by now: the next run sees it and
			// answers with a conflict or appends after it.
			continue
		}
		return res, err
	}
}

// AppendTx appends inside the caller's transaction tx, so events can be
// stored atomically with other writes; they become visible when tx commits.
// It behaves like Append, except that losing a race to a concurrent append
// aborts tx and returns a *eventstore.ConflictError without the actual
// revision: roll back and retry the whole transaction. Call Notify after
// committing to wake subscribers at once.
func (s *Store) AppendTx(ctx context.Context, tx pgx.Tx, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	req, err := newAppendRequest(stream, expected, events)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	res, err := req.run(ctx, tx)
	if isUniqueViolation(err) {
		return eventstore.AppendResult{}, &eventstore.ConflictError{Stream: stream, Expected: expected}
	}
	return res, err
}

// Notify wakes subscribers after a transaction that used AppendTx commits.
// Subscribers find the events without it too, at their next poll.
func (s *Store) Notify() { s.appended("", false) }

// appendRequest is a validated Append, in the shape the SQL functions take.
type appendRequest struct {
	stream   string
	expected eventstore.ExpectedRevision
	ids      [][16]byte
	types    []string
	data     [][]byte
	meta     [][]byte
}

func newAppendRequest(stream string, expected eventstore.ExpectedRevision, events []eventstore.EventData) (appendRequest, error) {
	enc, err := eventstore.ValidateAppend(stream, events)
	if err != nil {
		return appendRequest{}, err
	}
	r := appendRequest{
		stream:   stream,
		expected: expected,
		ids:      make([][16]byte, len(enc)),
		types:    make([]string, len(enc)),
		data:     make([][]byte, len(enc)),
		meta:     make([][]byte, len(enc)),
	}
	for i, e := range enc {
		r.ids[i], r.types[i], r.data[i], r.meta[i] = e.ID, e.Type, e.Data, e.RawMetadata
	}
	return r, nil
}

// run writes the request with the eventstore.append function.
func (r appendRequest) run(ctx context.Context, q querier) (eventstore.AppendResult, error) {
	var o outcome
	err := q.QueryRow(ctx, appendSQL, r.stream, expectedCode(r.expected), r.ids, r.types, r.data, r.meta).
		Scan(&o.status, &o.revision, &o.commit, &o.prepare)
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", r.stream, err)
	}
	return o.result(r)
}

// outcome is one row returned by the append SQL functions.
type outcome struct {
	status   int16
	revision *int64
	commit   *uint64
	prepare  *int64
}

// result turns the row into Append's result for req.
func (o outcome) result(req appendRequest) (eventstore.AppendResult, error) {
	switch o.status {
	case statusAppended, statusReplayed:
		return eventstore.AppendResult{
			Revision: uint64(*o.revision),
			Position: eventstore.Position{Commit: *o.commit, Prepare: uint64(*o.prepare)},
		}, nil
	case statusConflict:
		c := &eventstore.ConflictError{Stream: req.stream, Expected: req.expected, ActualKnown: true}
		if o.revision != nil {
			c.Exists, c.Actual = true, uint64(*o.revision)
		}
		return eventstore.AppendResult{}, c
	case statusOverlap:
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", req.stream, eventstore.ErrPartialOverlap)
	default:
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: unknown status %d", req.stream, o.status)
	}
}

// expectedCode encodes an expected revision for the SQL functions: -1 any,
// -2 no stream, -3 stream exists, n exact.
func expectedCode(e eventstore.ExpectedRevision) int64 {
	if rev, ok := e.Revision(); ok {
		return int64(rev)
	}
	switch {
	case e.IsNoStream():
		return -2
	case e.IsStreamExists():
		return -3
	default:
		return -1
	}
}

// isDeadlock reports PostgreSQL's deadlock_detected: the transaction was
// chosen to break a cycle of waits and rolled back.
func isDeadlock(err error) bool { return hasSQLState(err, "40P01") }

// isUniqueViolation reports PostgreSQL's unique_violation.
func isUniqueViolation(err error) bool { return hasSQLState(err, "23505") }

// hasSQLState reports whether err is a PostgreSQL error with SQLSTATE code.
func hasSQLState(err error, code string) bool {
	if err == nil { // the common case, without errors.As's allocation
		return false
	}
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}
