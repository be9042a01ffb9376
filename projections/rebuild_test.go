package projections_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

// deadLetterIDs returns the event ids of the dead letters of name, in order.
func deadLetterIDs(t *testing.T, m *projections.Manager, name string) ([]uuid.UUID, int) {
	t.Helper()
	letters, err := m.DeadLetters(ctxFor(t), name)
	if err != nil {
		t.Fatal(err)
	}
	ids, gen := make([]uuid.UUID, len(letters)), 0
	for i, d := range letters {
		ids[i], gen = d.EventID, d.Generation
	}
	return ids, gen
}

// appendPoison appends n events of type counter.poison.
func (e *env) appendPoison(n int) {
	e.t.Helper()
	for i := range n {
		ev := projectionstest.Event("counter.poison", 1)
		if err := e.appendEvent(ctxFor(e.t), fmt.Sprintf("counter-p%d", i), ev); err != nil {
			e.t.Fatal(err)
		}
	}
}

// TestRebuildEqualsIncremental rebuilds a projection built incrementally:
// the new generation's table holds exactly the old one's rows, and the
// same events are parked.
func TestRebuildEqualsIncremental(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := projectionstest.NewCounter("counter", 1)
	c.Reject(rejectPoison)
	m := e.manager("a", c)
	stop := start(t, m)
	waitFor(t, 10*time.Second, "the first build", func() bool { return e.checkpoint("counter").Generation == 1 })
	e.appendN(250, 9)
	e.appendPoison(2)
	e.appendN(250, 9)
	e.waitCaughtUp("counter")
	stop()
	incremental, err := projectionstest.Read(ctxFor(t), e.pool, "proj_counter_1.counter")
	if err != nil {
		t.Fatal(err)
	}
	parked, _ := deadLetterIDs(t, m, "counter")
	cp := e.checkpoint("counter")

	res, err := m.Rebuild(ctxFor(t), "counter", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := projections.RebuildResult{Name: "counter", Version: 1, Generation: 2, Previous: 1, Events: 502, Parked: 2, Position: cp.Position}
	res.Duration = 0
	if res != want {
		t.Fatalf("rebuild = %+v\nwant %+v", res, want)
	}
	rebuilt, err := projectionstest.Read(ctxFor(t), e.pool, "proj_counter_2.counter")
	if err != nil {
		t.Fatal(err)
	}
	if !rebuilt.Equal(incremental) || len(rebuilt) != 9 {
		t.Fatalf("rebuilt table differs from the incremental one:\n got %v\nwant %v", rebuilt, incremental)
	}
	if got := e.model("counter"); !got.Equal(incremental) {
		t.Fatalf("the view does not show the rebuilt table: %v", got)
	}
	reparked, gen := deadLetterIDs(t, m, "counter")
	if !slices.Equal(reparked, parked) || gen != 2 {
		t.Fatalf("dead letters after the rebuild = %v (generation %d), want %v of generation 2", reparked, gen, parked)
	}
	if got := e.checkpoint("counter"); got != (checkpointRow{Generation: 2, Version: 1, Position: cp.Position}) {
		t.Fatalf("checkpoint = %+v", got)
	}
	if got := e.schemas("counter"); !slices.Equal(got, []string{"proj_counter_2"}) {
		t.Fatalf("schemas = %v, want only the new generation's", got)
	}
}

// TestRebuildUnderLoad rebuilds while writers append and the runner
// follows them, with readers querying the view throughout: no query
// fails, none sees the read model go back, and the result is the log's.
func TestRebuildUnderLoad(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := projectionstest.NewCounter("counter", 1)
	m := e.managerWith(projections.Config{Owner: "a", Projections: []projections.Projection{c}, RebuildBatchSize: 100})
	start(t, m)
	waitFor(t, 10*time.Second, "the first build", func() bool { return e.checkpoint("counter").Generation == 1 })
	e.appendN(1500, 13)
	e.waitCaughtUp("counter")

	ctx, stopLoad := context.WithCancel(context.Background())
	defer stopLoad()
	var (
		load      sync.WaitGroup
		queries   atomic.Int64
		readerErr atomic.Value
		appended  atomic.Int64
	)
	for r := range 2 {
		load.Go(func() {
			var seen int64
			for ctx.Err() == nil {
				var rows, events int64
				err := e.pool.QueryRow(ctx, `SELECT count(*), coalesce(sum(events), 0) FROM readmodel.counter`).Scan(&rows, &events)
				if err != nil {
					if ctx.Err() == nil {
						readerErr.Store(fmt.Errorf("reader %d: %w", r, err))
					}
					return
				}
				if events < seen {
					readerErr.Store(fmt.Errorf("reader %d: the read model went back from %d to %d events", r, seen, events))
					return
				}
				seen = events
				queries.Add(1)
			}
		})
	}
	for w := range 2 {
		load.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				stream := fmt.Sprintf("counter-%d", (2*i+w)%13)
				// Not ctx: an append stopped while it commits may still
				// commit, unknown to the test.
				if err := e.appendEvent(context.Background(), stream, projectionstest.Event("counter.added", 3)); err != nil {
					t.Error(err)
					return
				}
				appended.Add(1)
				time.Sleep(2 * time.Millisecond)
			}
		})
	}

	res, err := m.Rebuild(ctxFor(t), "counter", nil)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // readers and writers on the new generation
	stopLoad()
	load.Wait()
	if err, _ := readerErr.Load().(error); err != nil {
		t.Fatal(err)
	}
	e.waitCaughtUp("counter")
	if got, want := e.model("counter"), projectionstest.Expect(e.log(), 1, nil); !got.Equal(want) {
		t.Fatalf("read model = %v\nwant %v", got, want)
	}
	if res.Generation != 2 || e.checkpoint("counter").Generation != 2 {
		t.Fatalf("rebuild = %+v, checkpoint %+v", res, e.checkpoint("counter"))
	}
	if got := e.schemas("counter"); !slices.Equal(got, []string{"proj_counter_2"}) {
		t.Fatalf("schemas = %v", got)
	}
	t.Logf("rebuilt %d events in %s while %d were appended and %d queries answered", res.Events, res.Duration, appended.Load(), queries.Load())
}

// TestRebuildInterrupted stops rebuilds during the replay and inside the
// swap: the live generation stays as it was and keeps serving, and the
// next rebuild succeeds from scratch.
func TestRebuildInterrupted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := projectionstest.NewCounter("counter", 1)
	m := e.managerWith(projections.Config{Owner: "a", Projections: []projections.Projection{c}, RebuildBatchSize: 100})
	stop := start(t, m)
	waitFor(t, 10*time.Second, "the first build", func() bool { return e.checkpoint("counter").Generation == 1 })
	e.appendN(600, 5)
	e.waitCaughtUp("counter")
	stop()
	live, cp := e.model("counter"), e.checkpoint("counter")
	untouched := func(when string) {
		t.Helper()
		if got := e.model("counter"); !got.Equal(live) {
			t.Fatalf("%s: the live read model changed:\n got %v\nwant %v", when, got, live)
		}
		if got := e.checkpoint("counter"); got != cp {
			t.Fatalf("%s: the checkpoint changed from %+v to %+v", when, cp, got)
		}
		if st := statusOf(t, m, "counter"); st.State == projections.StateRebuilding || st.Generation != 1 {
			t.Fatalf("%s: status = %+v", when, st)
		}
	}

	// Stopped during the replay, after three batches.
	ctx, cancel := context.WithCancel(context.Background())
	_, err := m.Rebuild(ctx, "counter", func(done, _ int64, _ float64) {
		if done >= 300 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("rebuild stopped during the replay: err = %v, want context.Canceled", err)
	}
	untouched("replay stopped")
	if got := e.schemas("counter"); !slices.Equal(got, []string{"proj_counter_1", "proj_counter_2"}) {
		t.Fatalf("schemas after the stopped replay = %v, want the live one and the half-built one", got)
	}

	// Stopped inside the swap, just before it commits.
	ctx, cancel = context.WithCancel(context.Background())
	projections.SetBeforeSwap(m, func(string) { cancel() })
	if _, err := m.Rebuild(ctx, "counter", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("rebuild stopped in the swap: err = %v, want context.Canceled", err)
	}
	projections.SetBeforeSwap(m, nil)
	untouched("swap stopped")

	// The next one starts afresh and succeeds.
	res, err := m.Rebuild(ctxFor(t), "counter", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Generation != 2 || res.Events != 600 || res.Previous != 1 {
		t.Fatalf("rebuild = %+v", res)
	}
	if got := e.model("counter"); !got.Equal(live) {
		t.Fatalf("rebuilt read model = %v\nwant %v", got, live)
	}
	if got := e.schemas("counter"); !slices.Equal(got, []string{"proj_counter_2"}) {
		t.Fatalf("schemas = %v", got)
	}
}

// TestRebuildGuards: one rebuild at a time, names must be known, and a
// binary does not rebuild over a newer version.
func TestRebuildGuards(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := projectionstest.NewCounter("counter", 1)
	m := e.managerWith(projections.Config{Owner: "a", Projections: []projections.Projection{c}, RebuildBatchSize: 10})
	e.appendN(50, 3)
	e.log() // every event visible: the rebuild has batches to replay

	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	first := make(chan error, 1)
	go func() {
		_, err := m.Rebuild(context.Background(), "counter", func(int64, int64, float64) {
			once.Do(func() { close(held); <-release })
		})
		first <- err
	}()
	select {
	case <-held:
	case err := <-first:
		t.Fatalf("the first rebuild ended before its first batch: %v", err)
	}
	if _, err := m.Rebuild(ctxFor(t), "counter", nil); !errors.Is(err, projections.ErrRebuildRunning) {
		t.Fatalf("second rebuild: err = %v, want ErrRebuildRunning", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if _, err := m.Rebuild(ctxFor(t), "nope", nil); !errors.Is(err, projections.ErrUnknownProjection) {
		t.Fatalf("unknown projection: err = %v", err)
	}
	older := e.manager("old", projectionstest.NewCounter("counter", 0+1))
	newer := e.manager("new", projectionstest.NewCounter("counter", 2))
	if _, err := newer.Rebuild(ctxFor(t), "counter", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := older.Rebuild(ctxFor(t), "counter", nil); !errors.Is(err, projections.ErrNewerVersionLive) {
		t.Fatalf("rebuild by an older version: err = %v, want ErrNewerVersionLive", err)
	}
}

// TestVersionChangeRebuilds starts a new version of a projection beside the
// old one, as in a rolling deploy: the new one rebuilds at start-up and
// swaps (its table has other columns), the old one stops writing, and the
// view shows the new version's rows.
func TestVersionChangeRebuilds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v1 := e.manager("old", projectionstest.NewCounter("counter", 1))
	start(t, v1)
	waitFor(t, 10*time.Second, "the first build", func() bool { return e.checkpoint("counter").Generation == 1 })
	e.appendN(300, 7)
	e.waitCaughtUp("counter")
	if got, want := e.model("counter"), projectionstest.Expect(e.log(), 1, nil); !got.Equal(want) {
		t.Fatalf("version 1 read model = %v\nwant %v", got, want)
	}

	v2 := e.manager("new", projectionstest.NewCounter("counter", 2))
	start(t, v2)
	waitFor(t, 20*time.Second, "version 2 to go live", func() bool {
		cp := e.checkpoint("counter")
		return cp.Generation == 2 && cp.Version == 2
	})
	oldBatches := projections.CountersOf(v1).Batches
	e.appendN(50, 7)
	e.waitCaughtUp("counter")
	if got, want := e.model("counter"), projectionstest.Expect(e.log(), 2, nil); !got.Equal(want) {
		t.Fatalf("version 2 read model = %v\nwant %v", got, want)
	}
	if got := projections.CountersOf(v1).Batches; got != oldBatches {
		t.Fatalf("version 1 kept writing after the swap: %d batches, then %d", oldBatches, got)
	}
	if o := e.leaseOwner("counter"); o != "new" {
		t.Fatalf("lease owner = %s, want new", o)
	}
	waitFor(t, 10*time.Second, "the old generation to be dropped", func() bool {
		return slices.Equal(e.schemas("counter"), []string{"proj_counter_2"})
	})
}

// TestRebuildSwapAppliesLateEvents appends events, one of them poison,
// after the replay's last batch: the swap applies them, parking the
// poison one, so the new generation goes live caught up.
func TestRebuildSwapAppliesLateEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := projectionstest.NewCounter("counter", 1)
	c.Reject(rejectPoison)
	m := e.managerWith(projections.Config{Owner: "a", Projections: []projections.Projection{c}, RebuildBatchSize: 20})
	e.appendN(95, 5)
	e.log()
	var once sync.Once
	res, err := m.Rebuild(ctxFor(t), "counter", func(done, _ int64, _ float64) {
		if done == 95 { // the replay's last batch, 15 events: short
			once.Do(func() {
				e.appendN(2, 5)
				e.appendPoison(1)
				e.log() // visible, so the swap sees them
			})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	log := e.log()
	if res.Events != 98 || res.Parked != 1 || res.Position != log[len(log)-1].Position {
		t.Fatalf("rebuild = %+v, want 98 events, 1 parked, live at the last event %s", res, log[len(log)-1].Position)
	}
	ids, gen := deadLetterIDs(t, m, "counter")
	if len(ids) != 1 || ids[0] != log[len(log)-1].ID || gen != 1 {
		t.Fatalf("dead letters = %v of generation %d, want the poison event of generation 1", ids, gen)
	}
	isPoison := func(ev eventstore.RecordedEvent) bool { return ev.Type == "counter.poison" }
	if got, want := e.model("counter"), projectionstest.Expect(log, 1, isPoison); !got.Equal(want) {
		t.Fatalf("read model = %v\nwant %v", got, want)
	}
}
