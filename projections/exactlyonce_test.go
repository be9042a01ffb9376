package projections_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

// TestExactlyOnceUnderCrashes stops the runner at random points (in the
// middle of statements, just before the lease check and commit, during the
// first build) while writers keep appending, and starts it again each
// time. After every stop, the read model must be exactly what the log up
// to the checkpoint gives: the checkpoint never runs ahead of the data nor
// behind it. At the end the read model must equal the log's, and a clean
// rebuild's.
func TestExactlyOnceUnderCrashes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>7))
	c := projectionstest.NewCounter("counter", 1)

	writing, stopWriting := context.WithCancel(context.Background())
	var writers sync.WaitGroup
	for w := range 3 {
		writers.Go(func() {
			for i := 0; writing.Err() == nil; i++ {
				stream := fmt.Sprintf("counter-%d", (i*3+w)%23)
				if err := e.appendEvent(context.Background(), stream, projectionstest.Event("counter.added", int64(i%7))); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
	defer func() { stopWriting(); writers.Wait() }()

	var current atomic.Pointer[context.CancelFunc]
	var crashesInBatch atomic.Int64
	runs := 30
	for i := range runs {
		m := e.manager("crashy", c)
		// Some runs die between their writes and their lease check.
		if i%3 == 1 {
			projections.SetAfterWrites(m, func(string) {
				if rand.IntN(4) == 0 { // the global source: this runs on the runner's goroutine
					crashesInBatch.Add(1)
					(*current.Load())()
				}
			})
		}
		ctx, cancel := context.WithCancel(context.Background())
		current.Store(&cancel)
		done := make(chan struct{})
		go func() { defer close(done); _ = m.Run(ctx) }()
		time.Sleep(time.Duration(rng.IntN(60)) * time.Millisecond)
		cancel()
		<-done
		checkConsistent(t, e, "counter")
	}
	stopWriting()
	writers.Wait()
	if n := crashesInBatch.Load(); n == 0 {
		t.Log("no run died between its writes and its commit (random)")
	}

	m := e.manager("crashy", c)
	stop := start(t, m)
	e.waitCaughtUp("counter")
	stop()
	log := e.log()
	want := projectionstest.Expect(log, 1, nil)
	if got := e.model("counter"); !got.Equal(want) {
		t.Fatalf("after %d crashes the read model differs from the log's:\n got %v\nwant %v", runs, got, want)
	}
	gen := e.checkpoint("counter").Generation
	res, err := m.Rebuild(ctxFor(t), "counter", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Generation != gen+1 || res.Events != int64(len(log)) {
		t.Fatalf("rebuild = %+v, want generation %d from %d events", res, gen+1, len(log))
	}
	if got := e.model("counter"); !got.Equal(want) {
		t.Fatalf("a clean rebuild differs from the crashed runs' read model:\n got %v\nwant %v", got, want)
	}
	t.Logf("%d events, %d runs, %d stopped between writes and commit", len(log), runs, crashesInBatch.Load())
}

// checkConsistent checks, in one snapshot, that the read model of name is
// exactly what the log up to its checkpoint gives.
func checkConsistent(t *testing.T, e *env, name string) {
	t.Helper()
	ctx := ctxFor(t)
	tx, err := e.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var commit, prepare int64
	err = tx.QueryRow(ctx, `SELECT commit_pos, prepare_pos FROM projections.checkpoints WHERE name = $1`, name).Scan(&commit, &prepare)
	if err == pgx.ErrNoRows {
		return // the first build has not swapped yet
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := projectionstest.Read(ctx, tx, "readmodel."+name)
	if err != nil {
		t.Fatal(err)
	}
	cp := eventstore.Position{Commit: uint64(commit), Prepare: uint64(prepare)}
	var prefix []eventstore.RecordedEvent
	for _, ev := range e.log() {
		if !cp.Less(ev.Position) {
			prefix = append(prefix, ev)
		}
	}
	if want := projectionstest.Expect(prefix, 1, nil); !got.Equal(want) {
		t.Fatalf("read model is not the log up to checkpoint %s (%d events):\n got %v\nwant %v", cp, len(prefix), got, want)
	}
}

// TestEveryEventDeliveredTwice runs and rebuilds a projection on a
// subscription that repeats everything: the read model must be the same
// as with single delivery, each event applied once.
func TestEveryEventDeliveredTwice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := projectionstest.NewCounter("counter", 1)
	m := e.managerWith(projections.Config{Owner: "a", Projections: []projections.Projection{c}, Store: projectionstest.Doubling{Store: e.store}})
	start(t, m)
	waitFor(t, 10*time.Second, "the first build", func() bool { return e.checkpoint("counter").Generation == 1 })
	e.appendN(300, 5)
	e.waitCaughtUp("counter")
	want := projectionstest.Expect(e.log(), 1, nil)
	if got := e.model("counter"); !got.Equal(want) {
		t.Fatalf("read model with every event delivered twice:\n got %v\nwant %v", got, want)
	}
	if got := projections.CountersOf(m).Applied; got != 300 {
		t.Fatalf("runner applied %d events, want 300", got)
	}
	if _, err := m.Rebuild(ctxFor(t), "counter", nil); err != nil {
		t.Fatal(err)
	}
	if got := e.model("counter"); !got.Equal(want) {
		t.Fatalf("read model rebuilt with every event delivered twice:\n got %v\nwant %v", got, want)
	}
}
