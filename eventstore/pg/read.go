package pg

import (
	"context"
	"fmt"
	"math"

	"github.com/orderflow/orderflow/eventstore"
)

// horizon restricts a global-log read to transactions that have ended; see
// the package documentation.
const horizon = `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`

const (
	readForwardSQL = `SELECT ` + eventColumns + ` FROM eventstore.events
WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`
	readBackwardSQL = `SELECT ` + eventColumns + ` FROM eventstore.events
WHERE stream_id = $1 AND revision <= $2 ORDER BY revision DESC LIMIT $3`
	streamExistsSQL = `SELECT EXISTS (SELECT 1 FROM eventstore.events WHERE stream_id = $1)`

	readAllSQL = `SELECT ` + eventColumns + ` FROM eventstore.events
WHERE (transaction_id, position) > ($1, $2) AND ` + horizon + `
ORDER BY transaction_id, position LIMIT $3`
	readCategorySQL = `SELECT ` + eventColumns + ` FROM eventstore.events
WHERE (category, transaction_id, position) > ($4, $1, $2) AND category = $4 AND ` + horizon + `
ORDER BY category, transaction_id, position LIMIT $3`
	headSQL = `SELECT transaction_id, position FROM eventstore.events
WHERE ` + horizon + ` ORDER BY transaction_id DESC, position DESC LIMIT 1`
)

// ReadStream implements eventstore.Store. Stream reads see every committed
// event of the stream at once, without waiting for the global-log horizon.
func (s *Store) ReadStream(ctx context.Context, stream string, opts eventstore.ReadOptions) ([]eventstore.RecordedEvent, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, err
	}
	if opts.Count <= 0 {
		return nil, fmt.Errorf("%w: read %s: count must be positive, got %d", eventstore.ErrInvalid, stream, opts.Count)
	}
	from := int64(math.MaxInt64)
	if opts.From < math.MaxInt64 {
		from = int64(opts.From)
	}
	query := readForwardSQL
	if opts.Direction == eventstore.Backwards {
		query = readBackwardSQL
	}
	rows, err := s.pool.Query(ctx, query, stream, from, opts.Count)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	events, err := scanEvents(rows, make([]eventstore.RecordedEvent, 0, min(opts.Count, 256)))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	if len(events) > 0 {
		return events, nil
	}
	if (opts.Direction == eventstore.Forwards && opts.From == 0) || (opts.Direction == eventstore.Backwards && opts.From == eventstore.End) {
		// Reading from either end finds an event in every stream that has one.
		return nil, fmt.Errorf("read %s: %w", stream, eventstore.ErrStreamNotFound)
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, streamExistsSQL, stream).Scan(&exists); err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	if !exists {
		return nil, fmt.Errorf("read %s: %w", stream, eventstore.ErrStreamNotFound)
	}
	return events, nil
}

// ReadAll implements eventstore.Store.
func (s *Store) ReadAll(ctx context.Context, from eventstore.Position, count int) ([]eventstore.RecordedEvent, error) {
	if count <= 0 {
		return nil, fmt.Errorf("%w: read all: count must be positive, got %d", eventstore.ErrInvalid, count)
	}
	return s.readAfter(ctx, from, "", count, nil)
}

// readAfter reads up to count events of the global log after from, of one
// category or of all, appending them to dst.
func (s *Store) readAfter(ctx context.Context, from eventstore.Position, category string, count int, dst []eventstore.RecordedEvent) ([]eventstore.RecordedEvent, error) {
	prepare := int64(math.MaxInt64)
	if from.Prepare < math.MaxInt64 {
		prepare = int64(from.Prepare)
	}
	query, args := readAllSQL, []any{from.Commit, prepare, count}
	if category != "" {
		query, args = readCategorySQL, append(args, category)
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return dst, fmt.Errorf("read all after %s: %w", from, err)
	}
	dst, err = scanEvents(rows, dst)
	if err != nil {
		return dst, fmt.Errorf("read all after %s: %w", from, err)
	}
	return dst, nil
}

// Head implements eventstore.Store. It is the last event a subscriber can
// receive now.
func (s *Store) Head(ctx context.Context) (eventstore.Position, error) {
	var (
		commit  uint64
		prepare int64
	)
	err := s.pool.QueryRow(ctx, headSQL).Scan(&commit, &prepare)
	if isNoRows(err) {
		return eventstore.Position{}, nil
	}
	if err != nil {
		return eventstore.Position{}, fmt.Errorf("read head: %w", err)
	}
	return eventstore.Position{Commit: commit, Prepare: uint64(prepare)}, nil
}

const readAllBackwardSQL = `SELECT ` + eventColumns + ` FROM eventstore.events
WHERE (transaction_id, position) < ($1, $2) AND ` + horizon + `
ORDER BY transaction_id DESC, position DESC LIMIT $3`

// ReadAllBackwards implements eventstore.BackwardsReader. Like ReadAll it
// sees only transactions that have ended.
func (s *Store) ReadAllBackwards(ctx context.Context, before eventstore.Position, count int) ([]eventstore.RecordedEvent, error) {
	if count <= 0 {
		return nil, fmt.Errorf("%w: read all backwards: count must be positive, got %d", eventstore.ErrInvalid, count)
	}
	prepare := int64(math.MaxInt64)
	if before.Prepare < math.MaxInt64 {
		prepare = int64(before.Prepare)
	}
	rows, err := s.pool.Query(ctx, readAllBackwardSQL, before.Commit, prepare, count)
	if err != nil {
		return nil, fmt.Errorf("read all before %s: %w", before, err)
	}
	events, err := scanEvents(rows, make([]eventstore.RecordedEvent, 0, min(count, 256)))
	if err != nil {
		return nil, fmt.Errorf("read all before %s: %w", before, err)
	}
	return events, nil
}
