package eventschema_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/benchtest"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/schema/eventschema"
)

// BenchmarkVerify reads a log of 20,000 events, the entries of the
// corpus's latest log over and over in streams of their own, a page of
// 1,000 at a time: impl=store verifies it (Verify: ReadAll through the
// PostgreSQL event store and every event decoded), impl=raw only reads
// the same pages with one plain keyset query each, decoding nothing. The
// ratio is what reading through the port and decoding cost.
func BenchmarkVerify(b *testing.B) {
	const n = 20_000
	logs, err := eventschema.ReadCorpus(corpusDir)
	if err != nil || len(logs) == 0 {
		b.Fatalf("read the corpus: %d logs, %v", len(logs), err)
	}
	entries := logs[len(logs)-1].Entries
	url := dbtest.New(b)
	benchtest.FillLog(b, url, n, func(i int) (string, string, int64, string, []byte, []byte) {
		e := entries[i%len(entries)]
		r := e.Recorded()
		stream := r.Stream + "x" + strconv.Itoa(i/len(entries))
		return stream, r.Category(), int64(e.Revision), e.Type, e.Data, eventstore.MarshalMetadata(e.Metadata)
	})
	ctx := context.Background()
	store, err := pg.New(ctx, pg.Config{DatabaseURL: url})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()

	b.Run("impl=store", func(b *testing.B) {
		for b.Loop() {
			res, err := eventschema.Verify(ctx, store, eventschema.VerifyOptions{PageSize: 1000})
			if err != nil || res.Events != n || res.Undecodable != 0 {
				b.Fatalf("Verify = %+v, %v; want %d events, all decoded", res, err, n)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("impl=raw", func(b *testing.B) {
		pool, err := pgxpool.New(ctx, url)
		if err != nil {
			b.Fatal(err)
		}
		defer pool.Close()
		for b.Loop() {
			var (
				from eventstore.Position
				read int
			)
			for {
				page, err := benchtest.RawPage(ctx, pool, from, 1000)
				if err != nil {
					b.Fatal(err)
				}
				if len(page) == 0 {
					break
				}
				read += len(page)
				from = page[len(page)-1].Position
			}
			if read != n {
				b.Fatalf("read %d events, want %d", read, n)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
	})
}
