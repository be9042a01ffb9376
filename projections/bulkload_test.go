package projections_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

// indexed is a Counter whose table has a secondary index and a unique
// constraint besides its primary key.
type indexed struct{ *projectionstest.Counter }

func (p indexed) Tables(schema string) []string {
	return append(p.Counter.Tables(schema),
		fmt.Sprintf(`CREATE INDEX indexed_by_events ON %s.indexed (events DESC, stream)`, schema),
		fmt.Sprintf(`ALTER TABLE %s.indexed ADD CONSTRAINT indexed_revision UNIQUE (stream, last_revision)`, schema))
}

// shape is what the bulk load changes about a generation's tables.
type shape struct {
	persistence []string // relpersistence of each table: p logged, u unlogged
	indexes     []string // index names
}

func shapeOf(t *testing.T, db interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, schema string) shape {
	t.Helper()
	var s shape
	rows, err := db.Query(context.Background(), `SELECT relpersistence::text FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind = 'r' ORDER BY relname`, schema)
	if err != nil {
		t.Fatal(err)
	}
	if s.persistence, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	rows, err = db.Query(context.Background(), `SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`, schema)
	if err != nil {
		t.Fatal(err)
	}
	if s.indexes, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRebuildLoadsInBulk: while a rebuild replays the history its tables
// are unlogged and carry only their constraints' indexes; once it is live
// they are logged and carry every index the projection declares.
func TestRebuildLoadsInBulk(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.appendN(600, 7)
	e.log() // wait until the log shows them all
	m := e.managerWith(projections.Config{Owner: "a", RebuildBatchSize: 100,
		Projections: []projections.Projection{indexed{projectionstest.NewCounter("indexed", 1)}}})
	var (
		mu     sync.Mutex
		during []shape
	)
	res, err := m.Rebuild(ctxFor(t), "indexed", func(done, total int64, rate float64) {
		s := shapeOf(t, e.pool, "proj_indexed_1")
		mu.Lock()
		during = append(during, s)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Events != 600 || len(during) == 0 {
		t.Fatalf("rebuild %+v with %d progress reports", res, len(during))
	}
	for _, s := range during {
		if slices.ContainsFunc(s.persistence, func(p string) bool { return p != "u" }) ||
			!slices.Equal(s.indexes, []string{"indexed_pkey", "indexed_revision"}) {
			t.Fatalf("during the replay: %+v, want unlogged tables with their constraints' indexes only", s)
		}
	}
	after := shapeOf(t, e.pool, "proj_indexed_1")
	if !slices.Equal(after.persistence, []string{"p"}) || !slices.Equal(after.indexes, []string{"indexed_by_events", "indexed_pkey", "indexed_revision"}) {
		t.Fatalf("live: %+v, want a logged table with every index", after)
	}
	if m := e.model("indexed"); len(m) != 7 {
		t.Fatalf("the rebuilt model has %d streams, want 7", len(m))
	}
}
