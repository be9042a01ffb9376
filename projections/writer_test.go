package projections_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
)

// running keeps, for every event, the running count of its stream's events
// so far, which it reads back through the Writer: a query must see what
// was queued before it, in the same batch.
type running struct{}

func (running) Name() string { return "running" }
func (running) Version() int { return 1 }
func (running) Tables(schema string) []string {
	return []string{fmt.Sprintf(`CREATE TABLE %s.running (stream text, revision bigint, seen bigint, PRIMARY KEY (stream, revision))`, schema)}
}
func (running) Views() []string { return []string{"running"} }
func (running) Apply(ctx context.Context, w *projections.Writer, e eventstore.RecordedEvent) error {
	w.Exec(fmt.Sprintf(`INSERT INTO %s.running (stream, revision, seen) VALUES ($1, $2, 0)`, w.Schema()), e.Stream, int64(e.Revision))
	var seen int64
	if err := w.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %s.running WHERE stream = $1`, w.Schema()), e.Stream).Scan(&seen); err != nil {
		return err
	}
	w.Exec(fmt.Sprintf(`UPDATE %s.running SET seen = $3 WHERE stream = $1 AND revision = $2`, w.Schema()), e.Stream, int64(e.Revision), seen)
	return nil
}

func TestWriterQuerySeesQueuedStatements(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.manager("a", running{})
	start(t, m)
	waitFor(t, 10*time.Second, "the first build", func() bool { return e.checkpoint("running").Generation == 1 })
	e.appendN(120, 4)
	e.waitCaughtUp("running")
	rows, err := e.pool.Query(ctxFor(t), `SELECT revision, seen FROM readmodel.running`)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ Revision, Seen int64 }
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 120 {
		t.Fatalf("%d rows, want 120", len(got))
	}
	for _, r := range got {
		if r.Seen != r.Revision+1 {
			t.Fatalf("row %+v: the query did not see the statements queued before it", r)
		}
	}
}
