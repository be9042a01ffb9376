package projections_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

var errPoison = errors.New("poison refused")

// rejectPoison refuses the events of type counter.poison.
func rejectPoison(e eventstore.RecordedEvent) error {
	if e.Type == "counter.poison" {
		return errPoison
	}
	return nil
}

// TestPoisonParkedAndRedriven parks the events a projection refuses or
// cannot decode, goes on with the rest, and redrives them: one by id, then
// all, one of which fails again.
func TestPoisonParkedAndRedriven(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := projectionstest.NewCounter("counter", 1)
	c.Reject(rejectPoison)
	m := e.manager("a", c)
	stop := start(t, m)
	waitFor(t, 10*time.Second, "the first build", func() bool { return e.checkpoint("counter").Generation == 1 })
	stop()

	// 100 events; 17 cannot be decoded, 42 and 43 are refused. With a
	// batch size of 10, the batches are 0-9, 10-19, ...: two of them fail
	// and are retried event by event.
	poison := map[int]string{17: "undecodable", 42: "refused", 43: "refused"}
	for i := range 100 {
		ev := projectionstest.Event("counter.added", int64(i))
		switch poison[i] {
		case "undecodable":
			ev = projectionstest.Undecodable("counter.added")
		case "refused":
			ev.Type = "counter.poison"
		}
		if err := e.appendEvent(ctxFor(t), fmt.Sprintf("counter-%d", i%4), ev); err != nil {
			t.Fatal(err)
		}
	}
	e.log() // every event visible: the runner reads full batches
	m = e.managerWith(projections.Config{Owner: "a", Projections: []projections.Projection{c}, BatchSize: 10})
	start(t, m)
	e.waitCaughtUp("counter")
	log := e.log()
	if got := projections.CountersOf(m); got.Batches != 10 || got.Retried != 2 || got.Applied != 100 {
		t.Fatalf("counters = %+v, want 10 batches of which 2 retried, 100 events", got)
	}
	isPoison := func(ev eventstore.RecordedEvent) bool {
		for i := range poison {
			if ev.ID == log[i].ID {
				return true
			}
		}
		return false
	}
	if got, want := e.model("counter"), projectionstest.Expect(log, 1, isPoison); !got.Equal(want) {
		t.Fatalf("read model = %v\nwant %v", got, want)
	}

	letters, err := m.DeadLetters(ctxFor(t), "counter")
	if err != nil {
		t.Fatal(err)
	}
	if len(letters) != 3 {
		t.Fatalf("%d dead letters, want 3: %+v", len(letters), letters)
	}
	for k, i := range []int{17, 42, 43} {
		d, ev := letters[k], log[i]
		if d.Projection != "counter" || d.Generation != 1 || d.Position != ev.Position || d.EventID != ev.ID ||
			d.Stream != ev.Stream || d.Revision != ev.Revision || d.Type != ev.Type || d.Attempts != 1 ||
			d.ParkedAt.IsZero() || !d.RetriedAt.IsZero() {
			t.Errorf("dead letter %d = %+v, want event %d: %+v", k, d, i, ev)
		}
		wantReason := "poison refused"
		if poison[i] == "undecodable" {
			wantReason = "undecodable counter.added event"
		}
		if !strings.Contains(d.Reason, wantReason) {
			t.Errorf("dead letter %d reason = %q, want it to contain %q", k, d.Reason, wantReason)
		}
	}
	st := statusOf(t, m, "counter")
	if st.DeadLetters != 3 {
		t.Fatalf("status dead letters = %d, want 3", st.DeadLetters)
	}

	// The projection is fixed: redrive event 42 alone, while the runner runs.
	c.Reject(nil)
	res, err := m.Redrive(ctxFor(t), "counter", letters[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != 1 || len(res.Failed) != 0 {
		t.Fatalf("redrive one = %+v, want 1 applied", res)
	}
	parked := func(ev eventstore.RecordedEvent) bool { return ev.ID == log[17].ID || ev.ID == log[43].ID }
	if got, want := e.model("counter"), projectionstest.Expect(log, 1, parked); !got.Equal(want) {
		t.Fatalf("after redriving one, read model = %v\nwant %v", got, want)
	}
	if _, err := m.Redrive(ctxFor(t), "counter", letters[1].ID); !errors.Is(err, projections.ErrDeadLetterNotFound) {
		t.Fatalf("redrive of a redriven dead letter: err = %v, want ErrDeadLetterNotFound", err)
	}

	// Redrive the rest: 43 applies, 17 still cannot be decoded.
	res, err = m.Redrive(ctxFor(t), "counter", 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != 1 || len(res.Failed) != 1 || res.Failed[0].ID != letters[0].ID || res.Failed[0].Attempts != 2 ||
		!strings.Contains(res.Failed[0].Reason, "undecodable") || res.Failed[0].RetriedAt.IsZero() {
		t.Fatalf("redrive all = %+v, want 1 applied and dead letter %d failed again", res, letters[0].ID)
	}
	left, err := m.DeadLetters(ctxFor(t), "counter")
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].ID != letters[0].ID || left[0].Attempts != 2 {
		t.Fatalf("dead letters left = %+v, want only %d with 2 attempts", left, letters[0].ID)
	}
	undecodable := func(ev eventstore.RecordedEvent) bool { return ev.ID == log[17].ID }
	if got, want := e.model("counter"), projectionstest.Expect(log, 1, undecodable); !got.Equal(want) {
		t.Fatalf("after redriving all, read model = %v\nwant %v", got, want)
	}
	if st := statusOf(t, m, "counter"); st.DeadLetters != 1 {
		t.Fatalf("status dead letters = %d, want 1", st.DeadLetters)
	}

	if _, err := m.Redrive(ctxFor(t), "nope", 0); !errors.Is(err, projections.ErrUnknownProjection) {
		t.Fatalf("redrive of an unknown projection: err = %v", err)
	}
	if _, err := m.Redrive(ctxFor(t), "counter", 999999); !errors.Is(err, projections.ErrDeadLetterNotFound) {
		t.Fatalf("redrive of an unknown dead letter: err = %v", err)
	}
}

// statusOf returns the status of one projection.
func statusOf(t *testing.T, m *projections.Manager, name string) projections.Status {
	t.Helper()
	all, err := m.Status(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no status for %s in %+v", name, all)
	return projections.Status{}
}
