package runner_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
	"github.com/orderflow/orderflow/write/order"
)

// TestPartitionKeyMatchesSQL holds the partition the runners compute for a
// saga to the one the scheduler's claim computes in SQL from
// sagas.active's partition_key.
func TestPartitionKeyMatchesSQL(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	ids := make([]string, 500)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	ids = append(ids, "", "a", "order-ü-1", "0")
	if _, err := conn.Exec(ctx, `INSERT INTO sagas.active (saga, saga_id, wake_at) SELECT 'keys', id, now() FROM unnest($1::text[]) AS id`, ids); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 7, 16, 64} {
		rows, err := conn.Query(ctx, `SELECT saga_id, partition_key % $1 FROM sagas.active WHERE saga = 'keys'`, n)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
			ID        string
			Partition int
		}])
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(ids) {
			t.Fatalf("%d rows, want %d", len(got), len(ids))
		}
		for _, g := range got {
			if want := runner.PartitionOf(g.ID, n); g.Partition != want {
				t.Fatalf("saga %q of %d partitions: SQL says %d, Go %d", g.ID, n, g.Partition, want)
			}
		}
	}
}

// TestRunnersSharePartitions runs two runners on one database: between
// them they own every partition exactly once, half each, and the intake
// once; the orders placed are driven by both, and every saga completes
// exactly once, charged once.
func TestRunnersSharePartitions(t *testing.T) {
	w := newIdleWorld(t, time.Minute, 0)
	w.product("A", 1999, 1000)
	a, b := w.spawn("a", nil), w.spawn("b", nil)
	waitFor(t, 10*time.Second, "the partitions split between the runners", func() bool {
		return len(a.Owned()) == testPartitions/2 && split(a, b) && a.OwnsIntake() != b.OwnsIntake()
	})
	owners := w.leaseOwners()
	for p := range testPartitions {
		want := "b"
		if slices.Contains(a.Owned(), p) {
			want = "a"
		}
		if owners[p] != want {
			t.Fatalf("partition %d: the database says %q owns it, the runners %q", p, owners[p], want)
		}
	}
	if in := owners[-1]; (in == "a") != a.OwnsIntake() || (in == "b") != b.OwnsIntake() {
		t.Fatalf("the intake: the database says %q owns it; a owns it: %v, b: %v", in, a.OwnsIntake(), b.OwnsIntake())
	}

	const orders = 40
	ids := make([]string, orders)
	var wg sync.WaitGroup
	errs := make(chan error, orders)
	for i := range ids {
		ids[i] = uuid.NewString()
		wg.Go(func() { errs <- w.placeID(ids[i], "DE", order.LineRequest{SKU: "A", Quantity: 1}) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		if s := w.finished(id); !s.Completed {
			t.Fatalf("saga %s: %+v, want completed", id, s.History)
		}
	}
	byA := 0
	for _, id := range ids {
		if slices.Contains(a.Owned(), runner.PartitionOf(id, testPartitions)) {
			byA++
		}
		if n := w.sandbox.Stats().ChargesByReference[id]; n != 1 {
			t.Fatalf("order %s charged %d times, want once", id, n)
		}
		if n := w.sagaEvents(id)[fulfillment.TypeCompleted]; n != 1 {
			t.Fatalf("saga %s completed %d times", id, n)
		}
	}
	fa, fb := a.seen.finished.Load(), b.seen.finished.Load()
	if fa+fb != orders || fa != int64(byA) {
		t.Fatalf("a finished %d sagas and b %d; %d of %d are in a's partitions", fa, fb, byA, orders)
	}
	if fa == 0 || fb == 0 {
		t.Fatalf("a finished %d sagas and b %d: all on one runner", fa, fb)
	}
	t.Logf("a owns %v and drove %d sagas, b owns %v and drove %d", a.Owned(), fa, b.Owned(), fb)
}

// TestGracefulStopHandsOver stops one of two runners gracefully: by the
// time Run returns it has released its leases (a crash leaves them live
// until their TTL runs out), and the other runner then owns every
// partition and the intake.
func TestGracefulStopHandsOver(t *testing.T) {
	w := newIdleWorld(t, time.Minute, 0)
	a, b := w.spawn("a", nil), w.spawn("b", nil)
	waitFor(t, 10*time.Second, "the partitions split between the runners", func() bool { return split(a, b) && len(a.Owned()) > 0 })
	if !a.OwnsIntake() {
		// Make a own the intake too, so that its stop hands over everything.
		a, b = b, a
	}
	stopped := time.Now()
	a.halt()
	if a.err == nil || !errors.Is(a.err, context.Canceled) {
		t.Fatalf("a stopped with %v", a.err)
	}
	for p, o := range w.leaseOwners() {
		if o == a.Owner() {
			t.Fatalf("partition %d (-1: the intake) is still leased to a after its graceful stop", p)
		}
	}
	waitFor(t, 3*testLeaseTTL, "b to own everything", func() bool { return len(b.Owned()) == testPartitions && b.OwnsIntake() })
	took := time.Since(stopped)
	if owners := w.leaseOwners(); len(owners) != testPartitions+1 {
		t.Fatalf("live leases %v", owners)
	}
	for p, o := range w.leaseOwners() {
		if o != b.Owner() {
			t.Fatalf("partition %d is owned by %s", p, o)
		}
	}
	t.Logf("b owned everything %s after a's stop", took)
}

// TestGracefulStopReleasesUnrecordedLeases: a runner's graceful stop
// gives up every lease of the saga its owner holds, also one its keeper
// never recorded (an acquisition that committed after the tick that sent
// it was cut off by the stop), which would otherwise stay live until it
// ran out.
func TestGracefulStopReleasesUnrecordedLeases(t *testing.T) {
	w := newIdleWorld(t, time.Minute, 0)
	a, b := w.spawn("a", nil), w.spawn("b", nil)
	waitFor(t, 10*time.Second, "the partitions split between the runners", func() bool { return split(a, b) && len(a.Owned()) > 0 && len(b.Owned()) > 0 })
	p := b.Owned()[0]
	// The lease of one of b's partitions passes to a behind both keepers'
	// backs, for an hour.
	if _, err := w.cfg.Pool.Exec(w.ctx, `UPDATE leases.leases SET owner = $1, expires_at = now() + interval '1 hour' WHERE name = $2`,
		a.Owner(), fmt.Sprintf("saga/fulfillment/%d", p)); err != nil {
		t.Fatal(err)
	}
	a.halt()
	if owner, ok := w.leaseOwners()[p]; ok && owner == a.Owner() {
		t.Fatalf("partition %d is still leased to a after its graceful stop", p)
	}
	waitFor(t, 3*testLeaseTTL, "b to own everything", func() bool { return len(b.Owned()) == testPartitions })
}

// TestStopReleasesAfterLosingItsConnection: a runner whose lease keeper
// lost its connection just before the runner stops (a tick cut off by the
// stop closes it, as a server ending the session does) still releases
// every lease and removes its heartbeat, on a fresh connection, instead of
// leaving the others to wait for the TTL.
func TestStopReleasesAfterLosingItsConnection(t *testing.T) {
	w := newIdleWorld(t, time.Minute, 0)
	a := w.spawn("a", nil)
	waitFor(t, 10*time.Second, "a to own everything", func() bool { return len(a.Owned()) == testPartitions && a.OwnsIntake() })
	var killed int
	if err := w.cfg.Pool.QueryRow(w.ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'orderflow saga lease keeper'`).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("terminated %d keeper connections, want 1", killed)
	}
	a.halt()
	if !errors.Is(a.err, context.Canceled) || a.err.Error() != context.Canceled.Error() {
		t.Fatalf("a stopped with %v, want context.Canceled alone (no failed release)", a.err)
	}
	if owners := w.leaseOwners(); len(owners) != 0 {
		t.Fatalf("live leases after a's stop: %v, want none", owners)
	}
	var heartbeats int
	if err := w.cfg.Pool.QueryRow(w.ctx, `SELECT count(*) FROM sagas.runners WHERE owner = 'a'`).Scan(&heartbeats); err != nil {
		t.Fatal(err)
	}
	if heartbeats != 0 {
		t.Fatalf("a left %d heartbeat rows, want none", heartbeats)
	}
}

// TestRunnersAgreeOnPartitions starts a runner with another partition
// count than the live one: it refuses to run and takes no lease, and the
// live one runs on undisturbed.
func TestRunnersAgreeOnPartitions(t *testing.T) {
	w := newIdleWorld(t, time.Minute, 0)
	a := w.spawn("a", nil)
	waitFor(t, 10*time.Second, "a to own everything", func() bool { return len(a.Owned()) == testPartitions && a.OwnsIntake() })
	c := w.spawn("c", func(cfg *runner.Config) { cfg.Partitions = 2 * testPartitions })
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		t.Fatal("a runner with another partition count still runs")
	}
	if !errors.Is(c.err, runner.ErrPartitionCount) {
		t.Fatalf("c stopped with %v, want ErrPartitionCount", c.err)
	}
	select {
	case <-a.done:
		t.Fatalf("a stopped with %v", a.err)
	case <-time.After(testLeaseTTL / 2): // a few rounds of a's renewals
	}
	for p, o := range w.leaseOwners() {
		if o != "a" {
			t.Fatalf("partition %d is owned by %s", p, o)
		}
	}
	if got := len(a.Owned()); got != testPartitions {
		t.Fatalf("a owns %d partitions", got)
	}
}
