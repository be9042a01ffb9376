package readmodels_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/readmodels"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
)

// TestKilledAtRandom kills the live projector and rebuilds of the read
// models at random points (between batches, in the middle of a batch's
// statements, during a replay or a swap) while a history keeps being
// written. After every kill each read model must be exactly what the log
// up to its checkpoint gives: the checkpoint never runs ahead of the data,
// nor behind it. Readers query every view throughout, and must always get
// an answer, never fewer rows than before. At the end the read models
// equal a clean rebuild.
func TestKilledAtRandom(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>7))
	saga := e.StartSaga(readmodelstest.HistoryPaymentTimeout)

	var kill atomic.Pointer[context.CancelFunc]
	m := e.Manager("crashy", killables(&kill)...)
	stop := e.Run(m)
	if err := e.History(e.Ctx(), saga, 1); err != nil {
		t.Fatal(err)
	}
	e.CaughtUp(names()...)
	stop()

	stopReading := read(t, e)
	written := make(chan error, 1)
	go func() { written <- e.History(e.Ctx(), saga, 2) }()
	var (
		writing                    = true
		kills, rebuilds, mid, iter int
	)
	for ; writing || iter < 6; iter++ {
		select {
		case err := <-written:
			if err != nil {
				t.Fatal(err)
			}
			writing = false
		default:
		}
		// The live projector and a rebuild of one read model run side by
		// side, and each dies at a random moment (the rebuild may also
		// finish).
		live, cutLive := context.WithCancel(e.Ctx())
		kill.Store(&cutLive)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = m.Run(live)
		}()
		name := names()[rng.IntN(len(names()))]
		rebuild, cutRebuild := context.WithCancel(e.Ctx())
		if rng.IntN(3) > 0 {
			time.AfterFunc(time.Duration(rng.IntN(400))*time.Millisecond, cutRebuild)
		}
		_, err := m.Rebuild(rebuild, name, nil)
		switch {
		case err == nil:
			rebuilds++
		case rebuild.Err() != nil, errors.Is(err, projections.ErrRebuildRunning):
			kills++ // killed: whatever it was doing failed
		default:
			t.Fatalf("rebuild of %s: %v", name, err)
		}
		cutRebuild()
		time.Sleep(time.Duration(rng.IntN(200)) * time.Millisecond)
		select {
		case <-done:
			mid++ // the projector cut itself off in the middle of a batch
		default:
		}
		kill.Store(nil)
		cutLive()
		<-done
		kills++
		for _, name := range names() {
			checkConsistent(t, e, name)
		}
	}
	t.Logf("%d rounds: %d kills (%d in the middle of a batch), %d rebuilds swapped", iter, kills, mid, rebuilds)

	stop = e.Run(m)
	e.CaughtUp(names()...)
	stop()
	stopReading()
	live := dumpAll(t, e)
	clean := e.Manager("clean", readmodels.All()...)
	for _, name := range names() {
		if _, err := clean.Rebuild(e.Ctx(), name, nil); err != nil {
			t.Fatal(err)
		}
	}
	if d := diffAll(dumpAll(t, e), live); d != "" {
		t.Fatalf("after the kills, the read models differ from a clean rebuild:\n%s", d)
	}
	if err := readmodelstest.AllKinds(e.Log()); err != nil {
		t.Fatal(err)
	}
}

// checkConsistent checks that the read model name is exactly what the log
// up to its checkpoint gives: it reads the checkpoint and the tables in
// one snapshot, and compares them with a reference built from that
// prefix of the log.
func checkConsistent(t *testing.T, e *readmodelstest.Env, name string) {
	t.Helper()
	ctx := e.Ctx()
	tx, err := e.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var commit, prepare int64
	if err := tx.QueryRow(ctx, `SELECT commit_pos, prepare_pos FROM projections.checkpoints WHERE name = $1`, name).Scan(&commit, &prepare); err != nil {
		t.Fatal(err)
	}
	got, err := readmodelstest.Dump(ctx, tx, name)
	if err != nil {
		t.Fatal(err)
	}
	limit := eventstore.Position{Commit: uint64(commit), Prepare: uint64(prepare)}
	ref := e.ManagerWith(projections.Config{Owner: "reference", Projections: references(), Store: truncated{Store: e.Store, limit: limit}})
	res, err := ref.Rebuild(ctx, "ref_"+name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Position != limit {
		t.Fatalf("reference of %s built up to %s, want %s", name, res.Position, limit)
	}
	want, err := readmodelstest.Dump(ctx, e.Pool, "ref_"+name)
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Diff(want); d != "" {
		t.Fatalf("%s is not the log up to its checkpoint %s (%d events):\n%s", name, limit, res.Events, d)
	}
}

// read queries every view of the read models until stop is called: each
// query must answer, and no view may ever show fewer rows than it showed
// before (rows are only ever added, and a rebuild swaps in a generation
// that is at least as far as the one it replaces).
func read(t *testing.T, e *readmodelstest.Env) (stop func()) {
	ctx, cancel := context.WithCancel(e.Ctx())
	var views []string
	for _, p := range readmodels.All() {
		views = append(views, p.Views()...)
	}
	queries, rows := 0, make(map[string]int64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			for _, v := range views {
				var n int64
				err := e.Pool.QueryRow(ctx, fmt.Sprintf("SELECT count(*) FROM readmodel.%s", v)).Scan(&n)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					t.Errorf("query of readmodel.%s: %v", v, err)
					return
				}
				if n < rows[v] {
					t.Errorf("readmodel.%s went from %d rows to %d", v, rows[v], n)
				}
				rows[v] = n
				queries++
			}
			var ids []string
			r, err := e.Pool.Query(ctx, `SELECT order_id FROM readmodel.orders WHERE status = $1 ORDER BY placed_at DESC, order_id DESC LIMIT 5`, "CANCELLED")
			if err == nil {
				ids, err = pgx.CollectRows(r, pgx.RowTo[string])
			}
			if ctx.Err() != nil {
				return
			}
			if err != nil || len(ids) == 0 {
				t.Errorf("cancelled orders: %v, %v", ids, err)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
			t.Logf("%d queries answered", queries)
		})
	}
}
