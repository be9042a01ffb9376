package pg_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/eventstoretest"
	"github.com/orderflow/orderflow/platform/benchtest"
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

func benchEvents(n int) []eventstore.EventData {
	meta, _ := eventstore.UnmarshalMetadata(benchMeta)
	out := make([]eventstore.EventData, n)
	for i := range out {
		out[i] = eventstore.EventData{ID: uuid.New(), Type: "order.placed", Data: benchData, Metadata: meta}
	}
	return out
}

// parallel runs b.N operations on writers goroutines and reports events/s.
func parallel(b *testing.B, writers, eventsPerOp int, op func(ctx context.Context, i int) error) {
	ctx := context.Background()
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		errMu sync.Mutex
		first error
	)
	b.ResetTimer()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > b.N {
					return
				}
				if err := op(ctx, i); err != nil {
					errMu.Lock()
					first = err
					errMu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if first != nil {
		b.Fatal(first)
	}
	b.ReportMetric(float64(b.N*eventsPerOp)/b.Elapsed().Seconds(), "events/s")
}

func benchPool(b *testing.B, url string) *pgxpool.Pool {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = 32
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool
}

const rawInsertSQL = `INSERT INTO eventstore.events (event_id, stream_id, category, revision, type, data, metadata)
VALUES ($1, $2, $3, $4, $5, $6, $7)`

// BenchmarkAppend appends one event per append to distinct streams, against
// a raw INSERT of the same row in autocommit, one statement per event.
func BenchmarkAppend(b *testing.B) {
	for _, writers := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("writers=%d/impl=store", writers), func(b *testing.B) {
			s, _ := newStore(b)
			events := benchEvents(b.N + 1)
			run := uuid.NewString()[:8]
			parallel(b, writers, 1, func(ctx context.Context, i int) error {
				_, err := s.Append(ctx, fmt.Sprintf("order-%s%d", run, i), eventstore.NoStream, events[i])
				return err
			})
		})
		b.Run(fmt.Sprintf("writers=%d/impl=raw", writers), func(b *testing.B) {
			_, url := newStore(b)
			pool := benchPool(b, url)
			events := benchEvents(b.N + 1)
			run := uuid.NewString()[:8]
			parallel(b, writers, 1, func(ctx context.Context, i int) error {
				_, err := pool.Exec(ctx, rawInsertSQL, [16]byte(events[i].ID), fmt.Sprintf("order-%s%d", run, i), "order", 0, "order.placed", benchData, benchMeta)
				return err
			})
		})
	}
}

// BenchmarkAppendBatch appends 10-event batches, against a raw multi-row
// INSERT of the same ten rows.
func BenchmarkAppendBatch(b *testing.B) {
	const size = 10
	const writers = 16
	b.Run("impl=store", func(b *testing.B) {
		s, _ := newStore(b)
		run := uuid.NewString()[:8]
		parallel(b, writers, size, func(ctx context.Context, i int) error {
			_, err := s.Append(ctx, fmt.Sprintf("order-%s%d", run, i), eventstore.NoStream, benchEvents(size)...)
			return err
		})
	})
	b.Run("impl=raw", func(b *testing.B) {
		_, url := newStore(b)
		pool := benchPool(b, url)
		run := uuid.NewString()[:8]
		var sql string
		{
			sql = `INSERT INTO eventstore.events (event_id, stream_id, category, revision, type, data, metadata) VALUES `
			for r := range size {
				if r > 0 {
					sql += ", "
				}
				p := r * 3
				sql += fmt.Sprintf("($%d, $%d, 'order', %d, 'order.placed', $%d, $%d)", p+2, 1, r, p+3, p+4)
			}
		}
		parallel(b, writers, size, func(ctx context.Context, i int) error {
			args := []any{fmt.Sprintf("order-%s%d", run, i)}
			for _, e := range benchEvents(size) {
				args = append(args, [16]byte(e.ID), benchData, benchMeta)
			}
			_, err := pool.Exec(ctx, sql, args...)
			return err
		})
	})
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
