// Package benchtest holds what the benchmarks share: running an operation
// on many goroutines and measuring its latency, measuring our code and its
// baselines alternately in one run (Paired), filling the event log fast,
// and measuring the largest heap a run needs.
package benchtest

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
)

// Event describes the i-th event FillLog stores.
type Event func(i int) (stream, category string, revision int64, typ string, data, metadata []byte)

// FillLog stores n events in the PostgreSQL event store at url with COPY,
// then analyses the table so that plans see its size.
func FillLog(tb testing.TB, url string, n int, event Event) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	rows := make([][]any, 0, 10000)
	flush := func() {
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"eventstore", "events"},
			[]string{"event_id", "stream_id", "category", "revision", "type", "data", "metadata"}, pgx.CopyFromRows(rows)); err != nil {
			tb.Fatal(err)
		}
		rows = rows[:0]
	}
	for i := range n {
		stream, category, revision, typ, data, meta := event(i)
		rows = append(rows, []any{[16]byte(uuid.New()), stream, category, revision, typ, data, meta})
		if len(rows) == cap(rows) {
			flush()
		}
	}
	flush()
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE eventstore.events"); err != nil {
		tb.Fatal(err)
	}
}

// HeapSampler records the largest heap in use while it runs.
type HeapSampler struct {
	stop chan struct{}
	done chan uint64
}

// SampleHeap collects garbage, then samples the heap in use every 20 ms
// until PeakMB is called.
func SampleHeap() HeapSampler {
	runtime.GC()
	h := HeapSampler{stop: make(chan struct{}), done: make(chan uint64)}
	go func() {
		var (
			peak uint64
			m    runtime.MemStats
		)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-h.stop:
				h.done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return h
}

// PeakMB stops the sampler and returns the largest heap seen, in MiB.
func (h HeapSampler) PeakMB() float64 {
	close(h.stop)
	return float64(<-h.done) / (1 << 20)
}

// RawPage reads up to count events of the global log after position
// after with plain pgx, as a baseline's read: one keyset query on
// eventstore.events (no visibility horizon: the benchmarks read a log no
// one writes to), the rows decoded into RecordedEvents.
func RawPage(ctx context.Context, pool *pgxpool.Pool, after eventstore.Position, count int) ([]eventstore.RecordedEvent, error) {
	rows, err := pool.Query(ctx, `SELECT transaction_id, position, event_id, stream_id, revision, type, data, metadata, recorded_at
FROM eventstore.events WHERE (transaction_id, position) > ($1, $2) ORDER BY transaction_id, position LIMIT $3`,
		after.Commit, int64(after.Prepare), count)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]eventstore.RecordedEvent, 0, count)
	for rows.Next() {
		var (
			e        eventstore.RecordedEvent
			pos, rev int64
			id       [16]byte
			meta     pgtype.DriverBytes
		)
		if err := rows.Scan(&e.Position.Commit, &pos, &id, &e.Stream, &rev, &e.Type, &e.Data, &meta, &e.Recorded); err != nil {
			return nil, err
		}
		m, err := eventstore.UnmarshalMetadata(meta)
		if err != nil {
			return nil, err
		}
		e.ID, e.Position.Prepare, e.Revision, e.Metadata = id, uint64(pos), uint64(rev), m
		out = append(out, e)
	}
	return out, rows.Err()
}
