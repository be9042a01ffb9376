package pg_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/eventstoretest"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/dbtest"
)

// TestQueuedAppends has far more writers than transaction slots, so most
// appends queue and are group-committed while some go straight out: new
// streams, appends after them, retries of stored batches at a wrong
// expected revision, conflicts and partial overlaps, all at once. Each
// must get exactly its own outcome.
func TestQueuedAppends(t *testing.T) {
	s, _, ctx := flushersStore(t, 1)
	cat := eventstoretest.NewCategory()

	const writers = 32
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- queuedWriter(ctx, s, fmt.Sprintf("%s-%d", cat, w), 1+w%3)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// flushersStore returns a store with the given number of transaction slots
// on a database of its own, the database's URL and a context for the test.
func flushersStore(t *testing.T, flushers int) (*pg.Store, string, context.Context) {
	t.Helper()
	url := dbtest.New(t)
	s, err := pg.New(context.Background(), pg.Config{DatabaseURL: url, Flushers: flushers})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return s, url, ctx
}

// queuedWriter runs one writer's script on stream with batches of size
// events, and says what went wrong.
func queuedWriter(ctx context.Context, s *pg.Store, stream string, size int) error {
	first := eventstoretest.Events("a", 0, size)
	created, err := s.Append(ctx, stream, eventstore.NoStream, first...)
	if err != nil || created.Revision != uint64(size-1) {
		return fmt.Errorf("%s: create: %+v, %v", stream, created, err)
	}
	for round := range 5 {
		// A retry of the first batch, expecting something no longer true,
		// returns the original result.
		again, err := s.Append(ctx, stream, eventstore.NoStream, first...)
		if err != nil || again != created {
			return fmt.Errorf("%s: retry %d: %+v, %v, want %+v", stream, round, again, err, created)
		}
		rev := uint64(size*(round+1) - 1)
		next := eventstoretest.Events("b", size*(round+1), size)
		res, err := s.Append(ctx, stream, eventstore.Exact(rev), next...)
		if err != nil || res.Revision != rev+uint64(size) || !created.Position.Less(res.Position) {
			return fmt.Errorf("%s: append %d after %d: %+v, %v", stream, round, rev, res, err)
		}
		_, err = s.Append(ctx, stream, eventstore.Exact(rev), eventstoretest.Event("c", round))
		var c *eventstore.ConflictError
		if !errors.As(err, &c) || !c.ActualKnown || !c.Exists || c.Actual != rev+uint64(size) {
			return fmt.Errorf("%s: stale append %d: %v, want a conflict at %d", stream, round, err, rev+uint64(size))
		}
		if size > 1 {
			overlap := append(next[1:], eventstoretest.Event("d", round))
			if _, err := s.Append(ctx, stream, eventstore.Any, overlap...); !errors.Is(err, eventstore.ErrPartialOverlap) {
				return fmt.Errorf("%s: overlapping append %d: %v, want ErrPartialOverlap", stream, round, err)
			}
		}
	}
	events, err := s.ReadStream(ctx, stream, eventstore.ReadOptions{Count: 100})
	if err != nil || len(events) != 6*size {
		return fmt.Errorf("%s: holds %d events (%v), want %d", stream, len(events), err, 6*size)
	}
	for i, e := range events {
		if e.Revision != uint64(i) {
			return fmt.Errorf("%s: event %d has revision %d", stream, i, e.Revision)
		}
	}
	return nil
}

// TestHotStreamsInGroupCommits has many writers append to four streams at
// once, each at the revision it last saw, so that group commits in flight
// together hold several of the streams' next revisions. Every append must
// either succeed or get a conflict, and each stream must hold exactly the
// successful ones: two group commits waiting for each other would be a
// deadlock, which PostgreSQL breaks by failing one of them after a second.
func TestHotStreamsInGroupCommits(t *testing.T) {
	s, _, ctx := flushersStore(t, 4)
	cat := eventstoretest.NewCategory()
	streams := []string{cat + "-a", cat + "-b", cat + "-c", cat + "-d"}
	for _, stream := range streams {
		if _, err := s.Append(ctx, stream, eventstore.NoStream, eventstoretest.Event("init", 0)); err != nil {
			t.Fatal(err)
		}
	}
	const writers, appends = 32, 60
	var (
		wg       sync.WaitGroup
		appended [4]atomic.Int64
		errs     = make(chan error, writers)
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			revs := make([]uint64, len(streams))
			for i := range appends {
				k := (w*7 + i*3) % len(streams)
				res, err := s.Append(ctx, streams[k], eventstore.Exact(revs[k]), eventstoretest.Event(fmt.Sprintf("w%d", w), i))
				var c *eventstore.ConflictError
				switch {
				case err == nil:
					appended[k].Add(1)
					revs[k] = res.Revision
				case errors.As(err, &c) && c.ActualKnown:
					revs[k] = c.Actual
				default:
					errs <- fmt.Errorf("writer %d, append %d to %s: %w", w, i, streams[k], err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for k, stream := range streams {
		events, err := s.ReadStream(ctx, stream, eventstore.ReadOptions{Count: writers * appends})
		if err != nil {
			t.Fatal(err)
		}
		if want := 1 + int(appended[k].Load()); len(events) != want {
			t.Errorf("%s holds %d events, want %d (the first and every successful append)", stream, len(events), want)
		}
	}
}

// TestGroupCommitChosenToBreakADeadlock forms a group commit of appends to
// streams a and b while another transaction holds b's next revision, then
// makes that transaction wait for a's, which the group holds: a deadlock.
// PostgreSQL rolls back the group, the first to wait. Its appends are then
// taken one at a time and each gets its true outcome: once the other
// transaction commits its events to a and b, both are conflicts at
// revision 1. (When a's retry takes a's revision before the other
// transaction's waiting insert wakes, that insert is a conflict instead;
// the other transaction then gives up and both appends are stored.)
//
// PostgreSQL looks for a deadlock once per wait, deadlock_timeout (1 s)
// after the wait began: on a machine so loaded that the other transaction
// begins to wait later than that, the group's look finds no cycle yet and
// the other transaction is rolled back instead. Such a round is played
// again on new streams, as is one where a's append went out on its own
// before b's queued.
func TestGroupCommitChosenToBreakADeadlock(t *testing.T) {
	s, url, ctx := flushersStore(t, 1)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	const rounds = 5
	for round := 1; !deadlockRound(t, ctx, s, pool); round++ {
		if round == rounds {
			t.Fatalf("in %d rounds PostgreSQL never rolled back the group commit", rounds)
		}
		t.Logf("round %d: the group was not rolled back; again", round)
	}
}

// deadlockRound plays one round of TestGroupCommitChosenToBreakADeadlock
// and reports whether PostgreSQL rolled back the group; when it rolled
// back the other transaction instead, or a and b went out apart, the
// appends to a and b must both be stored.
func deadlockRound(t *testing.T, ctx context.Context, s *pg.Store, pool *pgxpool.Pool) bool {
	t.Helper()
	cat := eventstoretest.NewCategory()
	a, b, c := cat+"-a", cat+"-b", cat+"-c"
	for _, stream := range []string{a, b, c} {
		if _, err := s.Append(ctx, stream, eventstore.NoStream, eventstoretest.Event("init", 0)); err != nil {
			t.Fatal(err)
		}
	}
	// other holds b's revision 1; blocker holds c's, so that an append to
	// c waits in the only transaction slot while a and b queue behind it.
	other, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback(ctx)
	if _, err := s.AppendTx(ctx, other, b, eventstore.Exact(0), eventstoretest.Event("other", 1)); err != nil {
		t.Fatal(err)
	}
	blocker, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendTx(ctx, blocker, c, eventstore.Exact(0), eventstoretest.Event("blocker", 1)); err != nil {
		t.Fatal(err)
	}
	done := make(chan outcome, 3)
	appendTo := func(stream string) {
		_, err := s.Append(ctx, stream, eventstore.Exact(0), eventstoretest.Event("grouped", 1))
		done <- outcome{stream, err}
	}
	go appendTo(c)
	waitForLockWait(t, pool, 1)
	go appendTo(a)
	go appendTo(b)
	time.Sleep(500 * time.Millisecond) // a and b queue for the slot
	if err := blocker.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if o := <-done; o.stream != c || o.err != nil {
		t.Fatalf("append to %s: %v, want c stored", o.stream, o.err)
	}
	// The group of a and b now holds a's revision 1 and waits for b's.
	waitForLockWait(t, pool, 1)
	if stored, err := s.ReadStream(ctx, a, eventstore.ReadOptions{Count: 2}); err != nil {
		t.Fatal(err)
	} else if len(stored) != 1 {
		// a was written on its own before b queued: no group holds it.
		t.Logf("a's append went out before b's queued")
		rollBackAndExpectStored(t, other, done, "after the other transaction was rolled back")
		return false
	}
	// Waiting for a's revision closes the cycle; the group, waiting
	// longer, finds it and is rolled back.
	_, err = s.AppendTx(ctx, other, a, eventstore.Exact(0), eventstoretest.Event("other", 2))
	var taken *eventstore.ConflictError
	switch {
	case pg.IsDeadlock(err):
		// The other transaction looked first: the group goes on.
		rollBackAndExpectStored(t, other, done, "after the other transaction was rolled back")
		return false
	case errors.As(err, &taken):
		// The group was rolled back, and a's single retry took a's
		// revision 1 before the other transaction's waiting insert woke:
		// once the other transaction gives up, b's retry goes on too.
		rollBackAndExpectStored(t, other, done, "after its group was rolled back and the other transaction gave up")
		return true
	case err != nil:
		t.Fatalf("the other transaction: %v, want it to go on once the group is rolled back", err)
	}
	// a's single retry now waits for other, which stores b's and a's
	// revision 1 on commit: both grouped appends conflict.
	if err := other.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		o := <-done
		var conflict *eventstore.ConflictError
		if !errors.As(o.err, &conflict) || !conflict.ActualKnown || conflict.Actual != 1 {
			t.Errorf("append to %s: %v, want a conflict at revision 1", o.stream, o.err)
		}
	}
	return true
}

// outcome is what one grouped append of a deadlock round got.
type outcome struct {
	stream string
	err    error
}

// rollBackAndExpectStored rolls tx back and expects both grouped appends
// of a deadlock round to be stored.
func rollBackAndExpectStored(t *testing.T, tx pgx.Tx, done <-chan outcome, when string) {
	t.Helper()
	if err := tx.Rollback(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if o := <-done; o.err != nil {
			t.Fatalf("append to %s %s: %v, want it stored", o.stream, when, o.err)
		}
	}
}

// waitForLockWait waits until n backends of the database wait for a lock.
func waitForLockWait(t *testing.T, pool *pgxpool.Pool, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d backends wait for a lock, want %d", waiting, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestExpectedRevisionBeyond32Bits expects a revision that needs 64 bits,
// for one event and for several: each is a conflict naming the stream's
// actual revision, not a failure to send the number.
func TestExpectedRevisionBeyond32Bits(t *testing.T) {
	s, _, ctx := flushersStore(t, 1)
	stream := eventstoretest.NewCategory() + "-1"
	if _, err := s.Append(ctx, stream, eventstore.NoStream, eventstoretest.Event("a", 0)); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 3} {
		_, err := s.Append(ctx, stream, eventstore.Exact(1<<40), eventstoretest.Events("b", 1, n)...)
		var c *eventstore.ConflictError
		if !errors.As(err, &c) || !c.ActualKnown || !c.Exists || c.Actual != 0 {
			t.Errorf("%d events expecting revision 2^40: %v, want a conflict at revision 0", n, err)
		}
	}
}
