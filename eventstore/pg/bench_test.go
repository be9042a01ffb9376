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

func benchEvents(n int) []eventstore.EventData {
	meta, _ := eventstore.UnmarshalMetadata(benchMeta)
	out := make([]eventstore.EventData, n)
	for i := range out {
		out[i] = eventstore.EventData{ID: uuid.New(), Type: "order.placed", Data: benchData, Metadata: meta}
	}
	return out
}

// parallel runs b.N operations on writers goroutines and reports events/s
// and the median and 99th percentile latency of one operation.
func parallel(b *testing.B, writers, eventsPerOp int, op func(ctx context.Context, i int) error) {
	ctx := context.Background()
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		mu    sync.Mutex
		lat   = make([]time.Duration, 0, b.N)
		first error
	)
	b.ResetTimer()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, b.N/writers+1)
			defer func() {
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
			for {
				i := int(next.Add(1))
				if i > b.N {
					return
				}
				start := time.Now()
				if err := op(ctx, i); err != nil {
					mu.Lock()
					first = err
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(start))
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if first != nil {
		b.Fatal(first)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N*eventsPerOp)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// warmUp runs op on writers goroutines for d, untimed, so that a
// benchmark starts with warm connections, statement caches and buffers.
func warmUp(b *testing.B, writers int, d time.Duration, op func(ctx context.Context, i int) error) {
	ctx := context.Background()
	deadline := time.Now().Add(d)
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		err  atomic.Value
	)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if e := op(ctx, int(next.Add(1))); e != nil {
					err.Store(e)
					return
				}
			}
		}()
	}
	wg.Wait()
	if e, _ := err.Load().(error); e != nil {
		b.Fatal(e)
	}
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

// appendWarmUp is how long each side of BenchmarkAppend runs untimed
// before it is measured.
const appendWarmUp = 2 * time.Second

// BenchmarkAppend appends one event per append to a new stream, against a
// raw INSERT of the same row in autocommit, one statement per event. Both
// sides have a pool of benchConns connections and a database of their own,
// warmed up for appendWarmUp and kept across the benchmark's rounds.
func BenchmarkAppend(b *testing.B) {
	type side struct {
		name string
		open func(url string) (op func(ctx context.Context, stream string, e eventstore.EventData) error, close func(), err error)
	}
	sides := []side{
		{"store", func(url string) (func(context.Context, string, eventstore.EventData) error, func(), error) {
			s, err := pg.New(context.Background(), pg.Config{DatabaseURL: url, MaxConns: benchConns})
			if err != nil {
				return nil, nil, err
			}
			return func(ctx context.Context, stream string, e eventstore.EventData) error {
				_, err := s.Append(ctx, stream, eventstore.NoStream, e)
				return err
			}, func() { s.Close() }, nil
		}},
		{"raw", func(url string) (func(context.Context, string, eventstore.EventData) error, func(), error) {
			pool, err := openPool(url)
			if err != nil {
				return nil, nil, err
			}
			return func(ctx context.Context, stream string, e eventstore.EventData) error {
				_, err := pool.Exec(ctx, rawInsertSQL, [16]byte(e.ID), stream, "order", 0, "order.placed", benchData, benchMeta)
				return err
			}, pool.Close, nil
		}},
	}
	for _, writers := range []int{1, 4, 16, 64} {
		for _, sd := range sides {
			url := dbtest.New(b)
			var (
				op        func(context.Context, string, eventstore.EventData) error
				closeSide func()
			)
			b.Run(fmt.Sprintf("writers=%d/impl=%s", writers, sd.name), func(b *testing.B) {
				if op == nil {
					var err error
					if op, closeSide, err = sd.open(url); err != nil {
						b.Fatal(err)
					}
					warm := uuid.NewString()[:8]
					warmUp(b, writers, appendWarmUp, func(ctx context.Context, i int) error {
						return op(ctx, fmt.Sprintf("order-%s%d", warm, i), benchEvents(1)[0])
					})
				}
				events := benchEvents(b.N + 1)
				run := uuid.NewString()[:8]
				cpu := startCPU(b, url)
				parallel(b, writers, 1, func(ctx context.Context, i int) error {
					return op(ctx, fmt.Sprintf("order-%s%d", run, i), events[i])
				})
				cpu.report(b, b.N)
			})
			if closeSide != nil {
				closeSide()
			}
		}
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
