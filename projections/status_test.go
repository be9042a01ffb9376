package projections_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

// clock is the wall clock until frozen.
type clock struct{ frozen atomic.Pointer[time.Time] }

func (c *clock) Now() time.Time {
	if t := c.frozen.Load(); t != nil {
		return *t
	}
	return time.Now()
}

func (c *clock) freeze(t time.Time) { c.frozen.Store(&t) }

// TestStatus walks a projection through live, failed, stopped (and behind)
// and rebuilding, checking every value Status reports.
func TestStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := projectionstest.NewCounter("counter", 1)
	var clk clock
	cfg := projections.Config{
		Owner: "a", Projections: []projections.Projection{c}, Now: clk.Now, RebuildBatchSize: 20,
		CountEvents: func(context.Context) (int64, error) { return 1234, nil },
	}
	m := e.managerWith(cfg)
	stop := start(t, m)
	waitFor(t, 10*time.Second, "the first build", func() bool { return e.checkpoint("counter").Generation == 1 })
	e.appendN(60, 3)
	e.waitCaughtUp("counter")

	log := e.log()
	last := log[len(log)-1]
	st := statusOf(t, m, "counter")
	if st.Rate <= 0 {
		t.Errorf("rate = %v, want > 0", st.Rate)
	}
	st.Rate = 0
	want := projections.Status{
		Name: "counter", CodeVersion: 1, Version: 1, Generation: 1, Position: last.Position, Head: last.Position,
		LastRecorded: last.Recorded, State: projections.StateLive, Owner: "a",
	}
	if !statusEqual(st, want) {
		t.Fatalf("live status = %+v\nwant %+v", st, want)
	}

	// A failure that is not the event's: the runner stops, says why, parks
	// nothing, and recovers once the failure is gone.
	c.Reject(func(eventstore.RecordedEvent) error {
		return fmt.Errorf("database is away: %w", context.DeadlineExceeded)
	})
	e.appendN(1, 3)
	waitFor(t, 10*time.Second, "state failed", func() bool { return statusOf(t, m, "counter").State == projections.StateFailed })
	st = statusOf(t, m, "counter")
	if !strings.Contains(st.LastError, "database is away") || st.DeadLetters != 0 || st.Behind != 1 {
		t.Fatalf("failed status = %+v, want the error, no dead letter, 1 event behind", st)
	}
	c.Reject(nil)
	waitFor(t, 10*time.Second, "state live again", func() bool {
		st := statusOf(t, m, "counter")
		return st.State == projections.StateLive && st.LastError == "" && st.Behind == 0
	})

	// Stopped, then behind: lag counts from the last event applied.
	stop()
	applied := e.log()
	lastApplied := applied[len(applied)-1]
	e.appendN(30, 3)
	e.log() // every event visible
	now := lastApplied.Recorded.Add(90 * time.Second)
	clk.freeze(now)
	st = statusOf(t, m, "counter")
	want = projections.Status{
		Name: "counter", CodeVersion: 1, Version: 1, Generation: 1, Position: lastApplied.Position, Head: e.head(),
		Behind: 30, LastRecorded: lastApplied.Recorded, Lag: 90 * time.Second, State: projections.StateStopped,
	}
	if !statusEqual(st, want) {
		t.Fatalf("stopped status = %+v\nwant %+v", st, want)
	}

	// Rebuilding: held after its first batch.
	reached, release := make(chan int64), make(chan struct{})
	var once atomic.Bool
	rebuilt := make(chan error, 1)
	go func() {
		_, err := m.Rebuild(context.Background(), "counter", func(done, total int64, rate float64) {
			if once.CompareAndSwap(false, true) {
				reached <- done
				<-release
			}
		})
		rebuilt <- err
	}()
	var done int64
	select {
	case done = <-reached:
	case err := <-rebuilt:
		t.Fatalf("the rebuild ended before its first batch: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("timed out waiting for the rebuild's first batch")
	}
	st = statusOf(t, m, "counter")
	if st.State != projections.StateRebuilding || st.Rebuild == nil || st.Generation != 1 {
		t.Fatalf("status while rebuilding = %+v, want state rebuilding of generation 2 while 1 is live", st)
	}
	r := *st.Rebuild
	if r.Generation != 2 || r.Version != 1 || r.Owner != "a" || r.Done != done || done != 20 || r.Total != 1234 || r.StartedAt.IsZero() {
		t.Fatalf("rebuild status = %+v (done %d), want generation 2 with 20 of 1234 done", r, done)
	}
	if r.Position != e.log()[19].Position {
		t.Fatalf("rebuild position = %s, want that of the 20th event, %s", r.Position, e.log()[19].Position)
	}
	close(release)
	if err := <-rebuilt; err != nil {
		t.Fatal(err)
	}
	st = statusOf(t, m, "counter")
	if st.State != projections.StateStopped || st.Generation != 2 || st.Behind != 0 || st.Lag != 0 || st.Rebuild != nil {
		t.Fatalf("status after the rebuild = %+v", st)
	}
}

// statusEqual compares statuses field by field (times with Equal).
func statusEqual(a, b projections.Status) bool {
	return a.Name == b.Name && a.CodeVersion == b.CodeVersion && a.Version == b.Version && a.Generation == b.Generation &&
		a.Position == b.Position && a.Head == b.Head && a.Behind == b.Behind && a.BehindAtLeast == b.BehindAtLeast &&
		a.LastRecorded.Equal(b.LastRecorded) && a.Lag == b.Lag && a.Rate == b.Rate && a.State == b.State &&
		a.DeadLetters == b.DeadLetters && a.Owner == b.Owner && a.LastError == b.LastError && (a.Rebuild == nil) == (b.Rebuild == nil)
}

// TestStatusFirstBuildFailing reports a projection whose first build keeps
// failing as failed, not merely stopped.
func TestStatusFirstBuildFailing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.appendN(10, 2)
	e.log() // every event visible: the first build has events to fail on
	c := projectionstest.NewCounter("counter", 1)
	c.Reject(func(eventstore.RecordedEvent) error {
		return fmt.Errorf("database is away: %w", context.DeadlineExceeded)
	})
	m := e.manager("a", c)
	start(t, m)
	waitFor(t, 10*time.Second, "state failed", func() bool {
		st := statusOf(t, m, "counter")
		return st.State == projections.StateFailed && st.Generation == 0 && strings.Contains(st.LastError, "first build")
	})
	c.Reject(nil)
	waitFor(t, 20*time.Second, "the first build", func() bool {
		st := statusOf(t, m, "counter")
		return st.State == projections.StateLive && st.Generation == 1 && st.LastError == ""
	})
}
