package projections_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/benchtest"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

var benchEvents = flag.Int("projections.events", 200_000, "events in the log BenchmarkRebuild rebuilds")

var benchMeta = eventstore.MarshalMetadata(eventstore.Metadata{
	CorrelationID: "6a1f0c3e-2b7d-4e9a-8c5f-1d3b7e9a2c4f",
	CausationID:   "0b9e8d7c-6a5f-4e3d-2c1b-0a9f8e7d6c5b",
	UserID:        "customer-42",
	TraceParent:   "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
})

// fillLog stores n events in eventstore.events with COPY: 1,000 streams of
// the "counter" category, each event carrying an amount.
func fillLog(b *testing.B, url string, n int) {
	benchtest.FillLog(b, url, n, func(i int) (string, string, int64, string, []byte, []byte) {
		data := fmt.Appendf(nil, `{"orderId":"4f5c2a7e-1f0b-4c1e-9d7a-2b6f3e8a9c10","amount":%d}`, i%100)
		return fmt.Sprintf("counter-%d", i%1000), "counter", int64(i / 1000), "counter.added", data, benchMeta
	})
}

// BenchmarkRebuild rebuilds Counter from a log of -projections.events
// events, against a baseline that does the same work with plain pgx: a
// keyset scan of the log in pages of the same size, decoded into the same
// structs, and per page one transaction (without waiting for the disk, as
// rebuilds do) sending the same upsert per event in one batch.
func BenchmarkRebuild(b *testing.B) {
	n := *benchEvents
	e := newEnv(b)
	fillLog(b, e.url, n)
	const batch = projections.DefaultRebuildBatch

	b.Run(fmt.Sprintf("events=%d/impl=store", n), func(b *testing.B) {
		m := e.managerWith(projections.Config{Owner: "bench", Projections: []projections.Projection{projectionstest.NewCounter("counter", 1)}, RebuildBatchSize: batch})
		heap := benchtest.SampleHeap()
		b.ResetTimer()
		for range b.N {
			res, err := m.Rebuild(context.Background(), "counter", nil)
			if err != nil {
				b.Fatal(err)
			}
			if res.Events != int64(n) {
				b.Fatalf("rebuilt %d events, want %d", res.Events, n)
			}
		}
		b.StopTimer()
		b.ReportMetric(heap.PeakMB(), "peak-heap-MB")
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
	})

	b.Run(fmt.Sprintf("events=%d/impl=raw", n), func(b *testing.B) {
		ctx := context.Background()
		c := projectionstest.NewCounter("raw_counter", 1)
		if _, err := e.pool.Exec(ctx, "DROP SCHEMA IF EXISTS raw CASCADE; CREATE SCHEMA raw"); err != nil {
			b.Fatal(err)
		}
		for _, ddl := range c.Tables("raw") {
			if _, err := e.pool.Exec(ctx, ddl); err != nil {
				b.Fatal(err)
			}
		}
		upsert := `INSERT INTO raw.raw_counter AS t (stream, events, total, last_revision) VALUES ($1, 1, $2, $3)
ON CONFLICT (stream) DO UPDATE SET events = t.events + 1, total = t.total + excluded.total,
    last_revision = greatest(t.last_revision, excluded.last_revision)`
		heap := benchtest.SampleHeap()
		b.ResetTimer()
		for range b.N {
			if _, err := e.pool.Exec(ctx, "TRUNCATE raw.raw_counter"); err != nil {
				b.Fatal(err)
			}
			var after eventstore.Position
			for got := 0; got < n; {
				events, err := benchtest.RawPage(context.Background(), e.pool, after, batch)
				if err != nil {
					b.Fatal(err)
				}
				if err := rawApply(ctx, e.pool, upsert, events); err != nil {
					b.Fatal(err)
				}
				got += len(events)
				after = events[len(events)-1].Position
			}
		}
		b.StopTimer()
		b.ReportMetric(heap.PeakMB(), "peak-heap-MB")
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
		if got, err := projectionstest.Read(ctx, e.pool, "raw.raw_counter"); err != nil || len(got) != 1000 {
			b.Fatalf("raw read model: %d rows, %v", len(got), err)
		}
	})
}

// rawApply is the baseline's write: one transaction per page, the upserts
// sent in one batch.
func rawApply(ctx context.Context, pool *pgxpool.Pool, upsert string, events []eventstore.RecordedEvent) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	var batch pgx.Batch
	batch.Queue(`SELECT set_config('synchronous_commit', 'off', true)`)
	for _, e := range events {
		var d struct {
			Amount *int64 `json:"amount"`
		}
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		batch.Queue(upsert, e.Stream, *d.Amount, int64(e.Revision))
	}
	if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
