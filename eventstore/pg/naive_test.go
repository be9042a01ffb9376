package pg_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/eventstoretest"
)

// TestNaiveReaderSkipsEvents is the negative control of the gap harness:
// pointed at a reader that polls "position > checkpoint" on the bigserial
// column alone, the same harness must catch skipped events. If it did not,
// the harness could not tell a correct store from a broken one.
func TestNaiveReaderSkipsEvents(t *testing.T) {
	s := naiveStore{newHeldStore(t)}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := eventstoretest.DefaultGapConfig
	cfg.Events = 5000
	report, err := eventstoretest.RunGaps(ctx, s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(report)
	if report.OK() {
		t.Fatalf("the gap harness did not catch the naive reader: %s", report)
	}
	if report.Missing == 0 {
		t.Fatalf("the naive reader should skip late commits, yet missed nothing: %s", report)
	}
}

// naiveStore reads the global log by the bigserial position alone, the bug
// DESIGN.md describes. Positions are {0, position}.
type naiveStore struct{ heldStore }

const naiveSQL = `SELECT position, event_id, stream_id, revision, type, data
FROM eventstore.events WHERE position > $1 AND ($3 = '' OR category = $3) ORDER BY position LIMIT $2`

func (n naiveStore) read(ctx context.Context, after eventstore.Position, category string, count int) ([]eventstore.RecordedEvent, error) {
	rows, err := n.pool.Query(ctx, naiveSQL, int64(after.Prepare), count, category)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (eventstore.RecordedEvent, error) {
		var (
			e   eventstore.RecordedEvent
			pos int64
			id  pgtype.UUID
			rev int64
		)
		err := row.Scan(&pos, &id, &e.Stream, &rev, &e.Type, &e.Data)
		e.ID, e.Position, e.Revision = uuid.UUID(id.Bytes), eventstore.Position{Prepare: uint64(pos)}, uint64(rev)
		return e, err
	})
}

func (n naiveStore) ReadAll(ctx context.Context, from eventstore.Position, count int) ([]eventstore.RecordedEvent, error) {
	return n.read(ctx, from, "", count)
}

func (n naiveStore) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	return &naiveSubscription{store: n, after: opts.From, category: opts.Category, batch: opts.BatchSize}, nil
}

type naiveSubscription struct {
	store    naiveStore
	after    eventstore.Position
	category string
	batch    int
}

func (s *naiveSubscription) Next(ctx context.Context) ([]eventstore.RecordedEvent, error) {
	for {
		events, err := s.store.read(ctx, s.after, s.category, s.batch)
		if err != nil {
			return nil, err
		}
		if len(events) > 0 {
			s.after = events[len(events)-1].Position
			return events, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

func (s *naiveSubscription) Checkpoint() eventstore.Position { return s.after }

func (s *naiveSubscription) Close() error { return nil }
