package projections_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

// gate stalls a runner's batch between its writes and its lease check,
// once armed.
type gate struct {
	armed   atomic.Bool
	stalled chan struct{}
	resume  chan struct{}
}

func newGate() *gate { return &gate{stalled: make(chan struct{}), resume: make(chan struct{})} }

func (g *gate) hook(string) {
	if g.armed.CompareAndSwap(true, false) {
		close(g.stalled)
		<-g.resume
	}
}

// leaseOwner reads the owner of the lease of name.
func (e *env) leaseOwner(name string) string {
	e.t.Helper()
	var owner string
	if err := e.pool.QueryRow(ctxFor(e.t), `SELECT owner FROM leases.leases WHERE name = 'projection/' || $1`, name).Scan(&owner); err != nil {
		e.t.Fatal(err)
	}
	return owner
}

// leaseLive reports whether owner holds a lease of projection name that
// has not run out.
func (e *env) leaseLive(name, owner string) bool {
	e.t.Helper()
	var live bool
	if err := e.pool.QueryRow(ctxFor(e.t), `SELECT EXISTS (SELECT FROM leases.leases WHERE name = 'projection/' || $1 AND owner = $2 AND expires_at > clock_timestamp())`, name, owner).Scan(&live); err != nil {
		e.t.Fatal(err)
	}
	return live
}

// TestLeaseOneWriter runs two managers of the same projection: one writes,
// the other stays idle, and the lease never changes hands.
func TestLeaseOneWriter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := projectionstest.NewCounter("counter", 1)
	a, b := e.manager("a", c), e.manager("b", c)
	start(t, a)
	start(t, b)
	waitFor(t, 10*time.Second, "the first build", func() bool { return e.checkpoint("counter").Generation == 1 })
	waitFor(t, 10*time.Second, "a lease", func() bool { return e.leaseOwner("counter") == "a" || e.leaseOwner("counter") == "b" })
	owner := e.leaseOwner("counter")

	var changed atomic.Value
	stopWatch := make(chan struct{})
	var watch sync.WaitGroup
	watch.Go(func() {
		for {
			select {
			case <-stopWatch:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if o := e.leaseOwner("counter"); o != owner {
				changed.Store(o)
			}
		}
	})
	e.appendN(200, 6)
	e.waitCaughtUp("counter")
	time.Sleep(3 * testTTL) // several lease periods with both managers up
	close(stopWatch)
	watch.Wait()

	if o := changed.Load(); o != nil {
		t.Fatalf("the lease moved from %s to %s", owner, o)
	}
	writer, idle := a, b
	if owner == "b" {
		writer, idle = b, a
	}
	if got := projections.CountersOf(idle); got.Batches != 0 || got.Applied != 0 {
		t.Fatalf("the standby wrote: %+v", got)
	}
	if got := projections.CountersOf(writer).Applied; got != 200 {
		t.Fatalf("the owner applied %d events, want 200", got)
	}
	if got, want := e.model("counter"), projectionstest.Expect(e.log(), 1, nil); !got.Equal(want) {
		t.Fatalf("read model = %v\nwant %v", got, want)
	}
}

// TestLeaseHungOwnerReplaced hangs the owner in the middle of a batch,
// holding its locks: the standby takes over within a few seconds (the
// server ends the hung transaction once it has idled for the lease's TTL),
// and the hung owner, when it wakes, commits nothing.
func TestLeaseHungOwnerReplaced(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := projectionstest.NewCounter("counter", 1)
	a := e.manager("a", c)
	g := newGate()
	projections.SetAfterWrites(a, g.hook)
	start(t, a)
	waitFor(t, 10*time.Second, "a's lease", func() bool {
		return e.checkpoint("counter").Generation == 1 && e.leaseOwner("counter") == "a"
	})
	b := e.manager("b", c)
	start(t, b)
	e.appendN(20, 4)
	e.waitCaughtUp("counter")

	g.armed.Store(true)
	e.appendN(5, 4)
	await(t, g.stalled, "the owner to stall")
	hungAt := time.Now()
	waitFor(t, 10*time.Second, "b to take over", func() bool { return projections.CountersOf(b).Batches > 0 })
	took := time.Since(hungAt)
	if took > 3*testTTL {
		t.Errorf("takeover took %s, more than 3 lease TTLs", took)
	}
	close(g.resume)
	e.appendN(5, 4)
	e.waitCaughtUp("counter")
	if got, want := e.model("counter"), projectionstest.Expect(e.log(), 1, nil); !got.Equal(want) {
		t.Fatalf("read model = %v\nwant %v", got, want)
	}
	if o := e.leaseOwner("counter"); o != "b" {
		t.Fatalf("lease owner = %s, want b", o)
	}
	if got := projections.CountersOf(a).Applied; got != 20 {
		t.Fatalf("the hung owner applied %d events, want the 20 before it hung", got)
	}
	t.Logf("takeover after %s", took)
}

// TestLeaseStolenOwnerCannotCommit takes the lease from an owner stalled
// between its writes and its commit: its commit fails and its writes are
// rolled back; once the lease is free again it takes it back and applies
// the batch once.
func TestLeaseStolenOwnerCannotCommit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := projectionstest.NewCounter("counter", 1)
	a := e.manager("a", c)
	g := newGate()
	projections.SetAfterWrites(a, g.hook)
	start(t, a)
	waitFor(t, 10*time.Second, "the first build", func() bool { return e.checkpoint("counter").Generation == 1 })
	e.appendN(20, 4)
	e.waitCaughtUp("counter")
	before, cpBefore := e.model("counter"), e.checkpoint("counter")

	g.armed.Store(true)
	e.appendN(5, 4)
	await(t, g.stalled, "the owner to stall")
	if _, err := e.pool.Exec(ctxFor(t), `UPDATE leases.leases SET owner = 'thief', expires_at = now() + interval '1 hour' WHERE name = 'projection/counter'`); err != nil {
		t.Fatal(err)
	}
	close(g.resume)
	waitFor(t, 10*time.Second, "a's commit to fail", func() bool { return projections.CountersOf(a).LeaseLost == 1 })
	time.Sleep(2 * testTTL) // a keeps trying to take the lease
	if got := e.model("counter"); !got.Equal(before) {
		t.Fatalf("the fenced batch changed the read model:\n got %v\nwant %v", got, before)
	}
	if got := e.checkpoint("counter"); got != cpBefore {
		t.Fatalf("the fenced batch moved the checkpoint from %+v to %+v", cpBefore, got)
	}
	if got := projections.CountersOf(a); got.LeaseLost != 1 {
		t.Fatalf("counters = %+v", got)
	}

	if _, err := e.pool.Exec(ctxFor(t), `UPDATE leases.leases SET expires_at = '-infinity' WHERE name = 'projection/counter'`); err != nil {
		t.Fatal(err)
	}
	e.waitCaughtUp("counter")
	if got, want := e.model("counter"), projectionstest.Expect(e.log(), 1, nil); !got.Equal(want) {
		t.Fatalf("read model = %v\nwant %v", got, want)
	}
	if got := projections.CountersOf(a).Applied; got != 25 {
		t.Fatalf("a applied %d events, want 25 (the fenced batch once)", got)
	}
}

// TestLeaseHandedOverOnStop stops the owner gracefully: Run releases the
// lease before it returns (a crash leaves it live until its TTL runs
// out), so the standby takes over and goes on from the owner's
// checkpoint.
func TestLeaseHandedOverOnStop(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := projectionstest.NewCounter("counter", 1)
	a := e.manager("a", c)
	stopA := start(t, a)
	waitFor(t, 10*time.Second, "a's lease", func() bool {
		return e.checkpoint("counter").Generation == 1 && e.leaseOwner("counter") == "a"
	})
	b := e.manager("b", c)
	start(t, b)
	e.appendN(20, 4)
	e.waitCaughtUp("counter")

	stopA() // returns once the lease is released; Run's error fails the test
	if e.leaseLive("counter", "a") {
		t.Fatal("a's lease is still live after its graceful stop")
	}
	waitFor(t, 10*time.Second, "b to take over", func() bool { return e.leaseOwner("counter") == "b" })
	e.appendN(5, 4)
	e.waitCaughtUp("counter")
	if got, want := e.model("counter"), projectionstest.Expect(e.log(), 1, nil); !got.Equal(want) {
		t.Fatalf("read model = %v\nwant %v", got, want)
	}
	if got := projections.CountersOf(b).Applied; got != 5 {
		t.Fatalf("b applied %d events, want the 5 after the handover", got)
	}
}
