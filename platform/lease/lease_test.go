package lease_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/platform/lease"
)

// newPool returns a pool on a fresh migrated database with a table for
// fenced writes.
func newPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dbtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(context.Background(), `CREATE TABLE writes (k text PRIMARY KEY, owner text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return pool
}

// holder returns a Holder named owner with ttl and a margin of half of it.
func holder(t *testing.T, owner string, ttl time.Duration) *lease.Holder {
	t.Helper()
	h, err := lease.New(lease.Config{Owner: owner, TTL: ttl, Margin: ttl / 2})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// acquireOne acquires name and fails the test unless it got it.
func acquireOne(t *testing.T, pool *pgxpool.Pool, h *lease.Holder, name string) lease.Grant {
	t.Helper()
	gs, err := h.Acquire(context.Background(), pool, name)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 1 || gs[0].Name != name || gs[0].Owner != h.Owner() {
		t.Fatalf("%s acquiring %s got %+v, want the lease", h.Owner(), name, gs)
	}
	return gs[0]
}

// refused fails the test unless h cannot acquire name now.
func refused(t *testing.T, pool *pgxpool.Pool, h *lease.Holder, name string) {
	t.Helper()
	gs, err := h.Acquire(context.Background(), pool, name)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 0 {
		t.Fatalf("%s acquired %s, held by another: %+v", h.Owner(), name, gs)
	}
}

// write inserts key under tenure tn, fenced, and returns whether it wrote.
func write(t *testing.T, pool *pgxpool.Pool, tn lease.Tenure, key string) bool {
	t.Helper()
	tag, err := pool.Exec(context.Background(), `INSERT INTO writes (k, owner) SELECT $1, $2 WHERE `+lease.Fence(3),
		append([]any{key, tn.Owner}, tn.Args()...)...)
	if err != nil {
		t.Fatal(err)
	}
	return tag.RowsAffected() == 1
}

// TestTakeoverAfterCrash: a holder stops renewing, as a crashed process
// does; a standby polling every quarter of the TTL takes the lease over
// once it has expired (not while it is live), with the next epoch, and the
// crashed holder's tenure can no longer be renewed.
func TestTakeoverAfterCrash(t *testing.T) {
	t.Parallel()
	const ttl = time.Second
	pool := newPool(t)
	a, b := holder(t, "a", ttl), holder(t, "b", ttl)
	ga := acquireOne(t, pool, a, "r")
	crashed := time.Now()
	refused(t, pool, b, "r")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	gb, err := b.Await(ctx, pool, "r", ttl/4)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(crashed)
	if gb.Owner != "b" || gb.Epoch != ga.Epoch+1 {
		t.Fatalf("takeover grant %+v, want b at epoch %d", gb, ga.Epoch+1)
	}
	if took > ttl+ttl/4+time.Second {
		t.Errorf("b took the lease %s after a's last renewal; TTL %s, polling every %s", took, ttl, ttl/4)
	}
	renewed, _, err := a.Renew(context.Background(), pool, ga.Tenure)
	if err != nil {
		t.Fatal(err)
	}
	if len(renewed) != 0 {
		t.Fatalf("a renewed its lost tenure: %v", renewed)
	}
	t.Logf("takeover %s after the crash (TTL %s)", took, ttl)
}

// TestStalledHolderIsFenced: a holder that stalls, renewing nothing, sees
// its term end while the database still refuses the lease to anybody else
// (deadline < expiry); once a standby has taken over, the stalled holder,
// waking up, can neither write nor renew, nor bring its term back.
func TestStalledHolderIsFenced(t *testing.T) {
	t.Parallel()
	const ttl = 2 * time.Second
	pool := newPool(t)
	a, b := holder(t, "a", ttl), holder(t, "b", ttl)
	ga := acquireOne(t, pool, a, "r")
	term := lease.NewTerm(context.Background(), ga)
	if err := term.Check(); err != nil {
		t.Fatalf("a fresh term: %v", err)
	}
	if !write(t, pool, term.Tenure(), "before") {
		t.Fatal("a could not write under its live tenure")
	}

	<-term.Context().Done() // a stalls: no renewal
	if err := term.Check(); !errors.Is(err, lease.ErrLost) {
		t.Fatalf("term after its deadline: %v, want ErrLost", err)
	}
	if term.Enter() {
		t.Fatal("work entered an ended term")
	}
	refused(t, pool, b, "r") // the term ended before the lease expired

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	gb, err := b.Await(ctx, pool, "r", ttl/8)
	if err != nil {
		t.Fatal(err)
	}
	if write(t, pool, term.Tenure(), "stale") {
		t.Fatal("the stalled holder wrote after the takeover")
	}
	renewed, deadline, err := a.Renew(context.Background(), pool, term.Tenure())
	if err != nil {
		t.Fatal(err)
	}
	if len(renewed) != 0 {
		t.Fatalf("the stalled holder renewed: %v", renewed)
	}
	if term.Extend(deadline) {
		t.Fatal("an ended term was extended")
	}
	if !write(t, pool, gb.Tenure, "after") {
		t.Fatal("the new holder could not write")
	}
}

// TestFencingRefusesOldEpochs: a write fenced on a tenure applies only
// while that tenure is current: not after a takeover, not after a release,
// and not after the same owner acquired the lease again (a new epoch).
func TestFencingRefusesOldEpochs(t *testing.T) {
	t.Parallel()
	pool := newPool(t)
	a, b := holder(t, "a", time.Minute), holder(t, "b", time.Minute)
	first := acquireOne(t, pool, a, "r")
	second := acquireOne(t, pool, a, "r") // the owner takes it back: a new tenure
	if second.Epoch != first.Epoch+1 {
		t.Fatalf("epochs %d then %d, want consecutive", first.Epoch, second.Epoch)
	}
	for _, c := range []struct {
		name string
		t    lease.Tenure
		want bool
	}{
		{"former epoch of the same owner", first.Tenure, false},
		{"current epoch", second.Tenure, true},
		{"current epoch, another owner's name", lease.Tenure{Name: "r", Owner: "b", Epoch: second.Epoch}, false},
		{"another lease's name", lease.Tenure{Name: "s", Owner: "a", Epoch: second.Epoch}, false},
	} {
		if got := write(t, pool, c.t, c.name); got != c.want {
			t.Fatalf("%s: wrote %v, want %v", c.name, got, c.want)
		}
	}
	if err := a.Release(context.Background(), pool, second.Tenure); err != nil {
		t.Fatal(err)
	}
	if write(t, pool, second.Tenure, "released") {
		t.Fatal("a wrote under a released tenure")
	}
	third := acquireOne(t, pool, b, "r")
	if third.Epoch != second.Epoch+1 {
		t.Fatalf("b's epoch %d, want %d", third.Epoch, second.Epoch+1)
	}
	if write(t, pool, second.Tenure, "taken") || !write(t, pool, third.Tenure, "b's") {
		t.Fatal("after the takeover only b's tenure may write")
	}
}

// TestFenceHoldsOffTakeover: a transaction that wrote under a fence keeps
// the lease row locked, so that a takeover of the expired lease waits for
// it to end: the write commits before the takeover.
func TestFenceHoldsOffTakeover(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newPool(t)
	a, b := holder(t, "a", 300*time.Millisecond), holder(t, "b", time.Minute)
	ga := acquireOne(t, pool, a, "r")
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `INSERT INTO writes (k, owner) SELECT 'k', 'a' WHERE `+lease.Fence(1), ga.Args()...)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("fenced write: %v, %d rows", err, tag.RowsAffected())
	}
	var expired bool
	for !expired {
		if err := pool.QueryRow(ctx, `SELECT expires_at < clock_timestamp() FROM leases.leases WHERE name = 'r'`).Scan(&expired); err != nil {
			t.Fatal(err)
		}
	}
	took := make(chan []lease.Grant, 1)
	go func() {
		gs, err := b.Acquire(ctx, pool, "r")
		if err != nil {
			t.Error(err)
		}
		took <- gs
	}()
	var waiting bool
	for !waiting { // b's takeover queues behind a's transaction
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO leases.leases%')`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if gs := <-took; len(gs) != 1 || gs[0].Epoch != ga.Epoch+1 {
		t.Fatalf("b's takeover after a's commit: %+v", gs)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM writes WHERE owner = 'a'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("a's fenced write: %d rows, %v", n, err)
	}
}

// TestGracefulHandover: a released lease is taken by the standby at its
// next attempt, without waiting for the TTL; releasing it again, once
// lost, changes nothing.
func TestGracefulHandover(t *testing.T) {
	t.Parallel()
	pool := newPool(t)
	a, b := holder(t, "a", time.Hour), holder(t, "b", time.Hour)
	ga := acquireOne(t, pool, a, "r")
	refused(t, pool, b, "r")
	if err := a.Release(context.Background(), pool, ga.Tenure); err != nil {
		t.Fatal(err)
	}
	gb := acquireOne(t, pool, b, "r") // an hour's TTL: only the release lets b in
	if gb.Epoch != ga.Epoch+1 {
		t.Fatalf("b's epoch %d, want %d", gb.Epoch, ga.Epoch+1)
	}
	if err := a.Release(context.Background(), pool, ga.Tenure); err != nil {
		t.Fatal(err)
	}
	if renewed, _, err := b.Renew(context.Background(), pool, gb.Tenure); err != nil || !renewed["r"] {
		t.Fatalf("b's renewal after a's late release: %v, %v", renewed, err)
	}
	refused(t, pool, a, "r")
}

// TestReleaseOwned: an owner leaving gives up every live lease of the
// names it holds, grants it never saw included, and no other owner's.
func TestReleaseOwned(t *testing.T) {
	t.Parallel()
	pool := newPool(t)
	a, b := holder(t, "a", time.Hour), holder(t, "b", time.Hour)
	acquireOne(t, pool, a, "r1")
	acquireOne(t, pool, a, "r2") // a grant its holder would have lost track of
	acquireOne(t, pool, a, "other")
	gb := acquireOne(t, pool, b, "r3")
	if err := a.ReleaseOwned(context.Background(), pool, "r1", "r2", "r3"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"r1", "r2"} {
		acquireOne(t, pool, b, name) // an hour's TTL: only the release lets b in
	}
	refused(t, pool, b, "other")
	if renewed, _, err := b.Renew(context.Background(), pool, gb.Tenure); err != nil || !renewed["r3"] {
		t.Fatalf("b's own lease after a left: %v, %v", renewed, err)
	}
}

// lateCommit is a Querier whose statements commit and whose caller's
// context then ends before the answer arrives, as when a wait is called
// off while PostgreSQL is running its statement.
type lateCommit struct {
	*pgxpool.Pool
	cancel context.CancelFunc
}

func (q lateCommit) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := q.Pool.Query(context.WithoutCancel(ctx), sql, args...)
	if err == nil {
		_, err = pgx.CollectRows(rows, func(pgx.CollectableRow) (struct{}, error) { return struct{}{}, nil })
	}
	if err != nil {
		return nil, err
	}
	q.cancel()
	return nil, ctx.Err()
}

// TestAwaitCalledOffLeavesNoLease: an Await whose context ends while its
// acquisition commits gives that lease up again, so that it does not stay
// with an owner that does not know it holds it until it runs out.
func TestAwaitCalledOffLeavesNoLease(t *testing.T) {
	t.Parallel()
	pool := newPool(t)
	a, b := holder(t, "a", time.Hour), holder(t, "b", time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := a.Await(ctx, lateCommit{pool, cancel}, "r", time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("await: %v, want context.Canceled", err)
	}
	acquireOne(t, pool, b, "r") // an hour's TTL: only the release lets b in
}

// TestConcurrentAcquirers: of many holders acquiring the same lease at
// once, exactly one gets it, whether it was never taken or has expired.
func TestConcurrentAcquirers(t *testing.T) {
	t.Parallel()
	const holders = 8
	pool := newPool(t)
	hs := make([]*lease.Holder, holders)
	for i := range hs {
		hs[i] = holder(t, fmt.Sprint("h", i), time.Hour)
	}
	race := func() []lease.Grant {
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			grants []lease.Grant
		)
		start := make(chan struct{})
		for _, h := range hs {
			wg.Go(func() {
				<-start
				gs, err := h.Acquire(context.Background(), pool, "r")
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				grants = append(grants, gs...)
				mu.Unlock()
			})
		}
		close(start)
		wg.Wait()
		return grants
	}
	first := race()
	if len(first) != 1 || first[0].Epoch != 1 {
		t.Fatalf("a free lease: grants %+v, want exactly one at epoch 1", first)
	}
	if _, err := pool.Exec(context.Background(), `UPDATE leases.leases SET expires_at = clock_timestamp() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	second := race()
	if len(second) != 1 || second[0].Epoch != 2 {
		t.Fatalf("an expired lease: grants %+v, want exactly one at epoch 2", second)
	}
}

// TestManyLeases: leases are acquired, renewed and released many in one
// statement, each with its own tenure; Free finds those nobody else holds.
func TestManyLeases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newPool(t)
	a, b := holder(t, "a", time.Hour), holder(t, "b", time.Hour)
	names := []string{"p/0", "p/1", "p/2", "p/3", "p/4", "p/5"}
	ga, err := a.Acquire(ctx, pool, names[:4]...)
	if err != nil || len(ga) != 4 {
		t.Fatalf("a acquired %+v, %v; want 4 leases", ga, err)
	}
	free, err := b.Free(ctx, pool, names...)
	if err != nil || !slices.Equal(free, names[4:]) {
		t.Fatalf("free for b: %v, %v; want %v", free, err, names[4:])
	}
	gb, err := b.Acquire(ctx, pool, names...)
	if err != nil || len(gb) != 2 {
		t.Fatalf("b acquired %+v, %v; want the 2 free ones", gb, err)
	}
	stale := ga[0].Tenure
	stale.Epoch--
	renewed, _, err := a.Renew(ctx, pool, stale, ga[1].Tenure, ga[2].Tenure, gb[0].Tenure)
	if err != nil {
		t.Fatal(err)
	}
	if len(renewed) != 2 || !renewed[ga[1].Name] || !renewed[ga[2].Name] {
		t.Fatalf("renewed %v, want only %s and %s", renewed, ga[1].Name, ga[2].Name)
	}
	if err := a.Release(ctx, pool, ga[0].Tenure, ga[1].Tenure); err != nil {
		t.Fatal(err)
	}
	free, err = b.Free(ctx, pool, names...)
	if want := []string{"p/0", "p/1", "p/4", "p/5"}; err != nil || !slices.Equal(free, want) {
		t.Fatalf("free for b after a's release: %v, %v; want %v", free, err, want)
	}
}

// TestNewChecksTheTimes: a TTL must be positive and the margin below it.
func TestNewChecksTheTimes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name        string
		ttl, margin time.Duration
		ok          bool
	}{
		{"default margin", time.Second, 0, true},
		{"zero TTL", 0, 0, false},
		{"margin of the whole TTL", time.Second, time.Second, false},
		{"negative margin", time.Second, -time.Millisecond, false},
	} {
		_, err := lease.New(lease.Config{Owner: "x", TTL: c.ttl, Margin: c.margin})
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
}

// TestTermDrains: a term ended with work under it is drained only once
// that work has left, and admits no new work.
func TestTermDrains(t *testing.T) {
	t.Parallel()
	term := lease.NewTerm(context.Background(), lease.Grant{Tenure: lease.Tenure{Name: "r", Owner: "a", Epoch: 1}, Deadline: time.Now().Add(time.Hour)})
	if !term.Enter() {
		t.Fatal("a live term refused work")
	}
	ctx, cancel := term.Bind(context.Background())
	defer cancel()
	term.End()
	if term.Drained() || term.Enter() {
		t.Fatal("an ended term with work in flight is drained, or admitted more")
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("work bound to the term was not cancelled")
	}
	term.Leave()
	if !term.Drained() {
		t.Fatal("the term is not drained once its work left")
	}
}
