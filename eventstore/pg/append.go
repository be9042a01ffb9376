package pg

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/orderflow/orderflow/eventstore"
)

// maxRaceRetries bounds how often Append re-runs after losing a race on a
// unique key to a concurrent append.
const maxRaceRetries = 16

// Appending statuses returned by the eventstore.append SQL function.
const (
	statusAppended = 0
	statusConflict = 1
	statusReplayed = 2
	statusOverlap  = 3
)

const appendSQL = `SELECT status, revision, commit_pos, prepare_pos
FROM eventstore.append($1, $2, $3, $4, $5, $6)`

// Querier runs a query: a *pgxpool.Pool, a *pgx.Conn or a pgx.Tx.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	req, err := newAppendRequest(stream, expected, events)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	defer s.appended()
	for attempt := 0; ; attempt++ {
		res, err := req.run(ctx, s.pool)
		if isUniqueViolation(err) && attempt < maxRaceRetries {
			// A concurrent append took the revision or an id first and has
			// committed; the next run sees it and answers properly.
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
func (s *Store) Notify() { s.appended() }

type appendRequest struct {
	stream   string
	expected eventstore.ExpectedRevision
	args     []any
}

func newAppendRequest(stream string, expected eventstore.ExpectedRevision, events []eventstore.EventData) (appendRequest, error) {
	enc, err := eventstore.ValidateAppend(stream, events)
	if err != nil {
		return appendRequest{}, err
	}
	ids := make([][16]byte, len(enc))
	types := make([]string, len(enc))
	data := make([][]byte, len(enc))
	meta := make([][]byte, len(enc))
	for i, e := range enc {
		ids[i], types[i], data[i], meta[i] = e.ID, e.Type, e.Data, e.RawMetadata
	}
	return appendRequest{
		stream:   stream,
		expected: expected,
		args:     []any{stream, expectedCode(expected), ids, types, data, meta},
	}, nil
}

func (r appendRequest) run(ctx context.Context, q Querier) (eventstore.AppendResult, error) {
	var (
		status   int16
		revision *int64
		commit   *uint64
		prepare  *int64
	)
	err := q.QueryRow(ctx, appendSQL, r.args...).Scan(&status, &revision, &commit, &prepare)
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", r.stream, err)
	}
	switch status {
	case statusAppended, statusReplayed:
		return eventstore.AppendResult{
			Revision: uint64(*revision),
			Position: eventstore.Position{Commit: *commit, Prepare: uint64(*prepare)},
		}, nil
	case statusConflict:
		c := &eventstore.ConflictError{Stream: r.stream, Expected: r.expected, ActualKnown: true}
		if revision != nil {
			c.Exists, c.Actual = true, uint64(*revision)
		}
		return eventstore.AppendResult{}, c
	case statusOverlap:
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", r.stream, eventstore.ErrPartialOverlap)
	default:
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: unknown status %d", r.stream, status)
	}
}

// expectedCode encodes an expected revision for the eventstore.append SQL
// function: -1 any, -2 no stream, -3 stream exists, n exact.
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

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}
