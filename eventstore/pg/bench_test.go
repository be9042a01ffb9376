package pg_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/eventstoretest"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/benchtest"
	"github.com/orderflow/orderflow/platform/dbtest"
)

// Each benchmark pairs the store with a baseline that does the same SQL work
// with raw pgx, in the same run and database. Compare them with benchstat;
// the figures that matter are the ratios.

var benchData = []byte(`{"orderId":"4f5c2a7e-1f0b-4c1e-9d7a-2b6f3e8a9c10","sku":"SKU-1","quantity":2}`)

var benchMeta = eventstore.MarshalMetadata(eventstore.Metadata{
	CorrelationID: "6a1f0c3e-2b7d-4e9a-8c5f-1d3b7e9a2c4f",
	CausationID:   "0b9e8d7c-6a5f-4e3d-2c1b-0a9f8e7d6c5b",
	UserID:        "customer-42",
	TraceParent:   "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
})

// benchMetadata is benchMeta before it is encoded.
var benchMetadata, _ = eventstore.UnmarshalMetadata(benchMeta)

func benchEvents(n int) []eventstore.EventData {
	out := make([]eventstore.EventData, n)
	for i := range out {
		out[i] = eventstore.EventData{ID: uuid.New(), Type: "order.placed", Data: benchData, Metadata: benchMetadata}
	}
	return out
}

func benchPool(b *testing.B, url string) *pgxpool.Pool {
	b.Helper()
	pool, err := openPool(url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool
}

// benchConns is the pool size of both sides of the append benchmarks.
const benchConns = 64

func openPool(url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = benchConns
	return pgxpool.NewWithConfig(context.Background(), cfg)
}

const rawInsertSQL = `INSERT INTO eventstore.events (event_id, stream_id, category, revision, type, data, metadata)
VALUES ($1, $2, $3, $4, $5, $6, $7)`

// returning makes rawInsertSQL return what an append returns.
const returning = ` RETURNING revision, transaction_id, position`

// appendWarmUp is how long each side of BenchmarkAppend runs untimed
// before it is measured.
const appendWarmUp = 2 * time.Second

// BenchmarkAppend appends one event per append to a new stream (store),
// against a raw INSERT of the same row in autocommit, one statement per
// event (raw), and against that INSERT returning the revision and position
// an append returns (returning), the sides alternating in the same run
// (benchtest.Paired): store:raw is the ratio of their throughputs. The
// store has a pool of benchConns connections and a database of its own,
// the raw INSERTs share another, each side warmed up for appendWarmUp.
func BenchmarkAppend(b *testing.B) {
	for _, writers := range []int{1, 4, 16, 64} {
		var sides []benchtest.Side
		storeURL, rawURL := dbtest.New(b), dbtest.New(b)
		owner := b
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			if sides == nil {
				sides = appendSides(b, owner, writers, storeURL, rawURL)
			}
			benchtest.Paired(b, writers, 1, sides...)
		})
	}
}

// appendSides opens BenchmarkAppend's two sides on their databases, closed
// when owner ends, and warms them up with writers goroutines.
func appendSides(b, owner *testing.B, writers int, storeURL, rawURL string) []benchtest.Side {
	s, err := pg.New(context.Background(), pg.Config{DatabaseURL: storeURL, MaxConns: benchConns})
	if err != nil {
		b.Fatal(err)
	}
	owner.Cleanup(func() { s.Close() })
	pool, err := openPool(rawURL)
	if err != nil {
		b.Fatal(err)
	}
	owner.Cleanup(pool.Close)
	run := uuid.NewString()[:8]
	sides := []benchtest.Side{
		{Name: "store", DatabaseURL: storeURL, Op: func(ctx context.Context, i int) error {
			e := eventstore.EventData{ID: uuid.New(), Type: "order.placed", Data: benchData, Metadata: benchMetadata}
			_, err := s.Append(ctx, fmt.Sprintf("order-%s%d", run, i), eventstore.NoStream, e)
			return err
		}},
		{Name: "returning", DatabaseURL: rawURL, Op: func(ctx context.Context, i int) error {
			var rev, pos int64
			var xid uint64
			return pool.QueryRow(ctx, rawInsertSQL+returning, [16]byte(uuid.New()), fmt.Sprintf("order-%s%d", run, i), "order", 0, "order.placed", benchData, benchMeta).Scan(&rev, &xid, &pos)
		}},
		{Name: "raw", DatabaseURL: rawURL, Op: func(ctx context.Context, i int) error {
			_, err := pool.Exec(ctx, rawInsertSQL, [16]byte(uuid.New()), fmt.Sprintf("order-%s%d", run, i), "order", 0, "order.placed", benchData, benchMeta)
			return err
		}},
	}
	for _, sd := range sides {
		benchtest.WarmUp(b, writers, appendWarmUp, sd.Op)
	}
	return sides
}

// BenchmarkAppendBatch appends 10-event batches to new streams (store),
// against a raw multi-row INSERT of the same ten rows (raw), on 16 writers,
// the sides alternating in the same run.
func BenchmarkAppendBatch(b *testing.B) {
	const size = 10
	const writers = 16
	s, storeURL := newStore(b)
	_, rawURL := newStore(b)
	pool := benchPool(b, rawURL)
	run := uuid.NewString()[:8]
	sql := `INSERT INTO eventstore.events (event_id, stream_id, category, revision, type, data, metadata) VALUES `
	for r := range size {
		if r > 0 {
			sql += ", "
		}
		p := r * 3
		sql += fmt.Sprintf("($%d, $%d, 'order', %d, 'order.placed', $%d, $%d)", p+2, 1, r, p+3, p+4)
	}
	benchtest.Paired(b, writers, size,
		benchtest.Side{Name: "store", DatabaseURL: storeURL, Op: func(ctx context.Context, i int) error {
			_, err := s.Append(ctx, fmt.Sprintf("order-%s%d", run, i), eventstore.NoStream, benchEvents(size)...)
			return err
		}},
		benchtest.Side{Name: "raw", DatabaseURL: rawURL, Op: func(ctx context.Context, i int) error {
			args := []any{fmt.Sprintf("order-%s%d", run, i)}
			for range size {
				args = append(args, [16]byte(uuid.New()), benchData, benchMeta)
			}
			_, err := pool.Exec(ctx, sql, args...)
			return err
		}},
	)
}

// fillLog stores n events in the database at url, 1,000 streams of the
// "order" category.
func fillLog(b *testing.B, url string, n int) {
	benchtest.FillLog(b, url, n, func(i int) (string, string, int64, string, []byte, []byte) {
		return fmt.Sprintf("order-%d", i%1000), "order", int64(i / 1000), "order.placed", benchData, benchMeta
	})
}

// BenchmarkCatchUp reads the whole log through a subscription, against a raw
// keyset scan of the same rows decoded into the same structs. The history
// sizes show whether memory grows with the length of the log.
func BenchmarkCatchUp(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		s, url := newStore(b)
		fillLog(b, url, n)
		pool := benchPool(b, url)
		b.Run(fmt.Sprintf("events=%d/impl=store", n), func(b *testing.B) {
			heap := benchtest.SampleHeap()
			for range b.N {
				sub, err := s.Subscribe(context.Background(), eventstore.SubscribeOptions{})
				if err != nil {
					b.Fatal(err)
				}
				for got := 0; got < n; {
					events, err := sub.Next(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					got += len(events)
				}
				sub.Close()
			}
			b.ReportMetric(heap.PeakMB(), "peak-heap-MB")
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
		})
		b.Run(fmt.Sprintf("events=%d/impl=raw", n), func(b *testing.B) {
			heap := benchtest.SampleHeap()
			for range b.N {
				var after eventstore.Position
				for got := 0; got < n; {
					events, err := benchtest.RawPage(context.Background(), pool, after, eventstore.DefaultBatchSize)
					if err != nil {
						b.Fatal(err)
					}
					got += len(events)
					after = events[len(events)-1].Position
				}
			}
			b.ReportMetric(heap.PeakMB(), "peak-heap-MB")
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkReadStream reads a 100-event stream and reports the median and
// p99 latency, against the same query through raw pgx.
func BenchmarkReadStream(b *testing.B) {
	s, url := newStore(b)
	stream := "order-" + uuid.NewString()
	if _, err := s.Append(context.Background(), stream, eventstore.NoStream, benchEvents(100)...); err != nil {
		b.Fatal(err)
	}
	pool := benchPool(b, url)
	latencies := func(b *testing.B, read func() (int, error)) {
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for range b.N {
			start := time.Now()
			n, err := read()
			if err != nil || n != 100 {
				b.Fatalf("read %d events: %v", n, err)
			}
			lat = append(lat, time.Since(start))
		}
		b.StopTimer()
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
	b.Run("impl=store", func(b *testing.B) {
		latencies(b, func() (int, error) {
			events, err := s.ReadStream(context.Background(), stream, eventstore.ReadOptions{Count: 1000})
			return len(events), err
		})
	})
	b.Run("impl=raw", func(b *testing.B) {
		latencies(b, func() (int, error) {
			rows, err := pool.Query(context.Background(), `SELECT transaction_id, position, event_id, stream_id, revision, type, data, metadata, recorded_at
FROM eventstore.events WHERE stream_id = $1 AND revision >= 0 ORDER BY revision LIMIT 1000`, stream)
			if err != nil {
				return 0, err
			}
			events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (eventstore.RecordedEvent, error) {
				var (
					e    eventstore.RecordedEvent
					pos  int64
					rev  int64
					id   pgtype.UUID
					meta []byte
				)
				if err := row.Scan(&e.Position.Commit, &pos, &id, &e.Stream, &rev, &e.Type, &e.Data, &meta, &e.Recorded); err != nil {
					return e, err
				}
				m, err := eventstore.UnmarshalMetadata(meta)
				e.ID, e.Position.Prepare, e.Revision, e.Metadata = id.Bytes, uint64(pos), uint64(rev), m
				return e, err
			})
			return len(events), err
		})
	})
}

var _ = eventstoretest.NewCategory
