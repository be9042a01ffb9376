package projections_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/origin"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

// eventStoreOf returns the event store the checkpoint of name records,
// uuid.Nil for none; it fails the test when there is no checkpoint.
func (e *env) eventStoreOf(name string) uuid.UUID {
	e.t.Helper()
	var id *uuid.UUID
	if err := e.pool.QueryRow(ctxFor(e.t), `SELECT event_store_id FROM projections.checkpoints WHERE name = $1`, name).Scan(&id); err != nil {
		e.t.Fatalf("checkpoint of %s: %v", name, err)
	}
	if id == nil {
		return uuid.Nil
	}
	return *id
}

// TestCheckpointsFollowOneEventStore: a rebuild and a consumer's start
// record the log's identity beside the checkpoint; once the log is wiped
// and has another identity, Run refuses to follow it from those
// checkpoints and returns why; ResetForeign forgets them, and Run then
// rebuilds and starts afresh from the new log.
func TestCheckpointsFollowOneEventStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxFor(t)
	first, err := eventstore.Identify(ctx, e.store, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.appendN(10, 2)
	e.log()
	c := &consumer{seen: map[int64]bool{}, flakies: map[uuid.UUID]int{}}
	stop := start(t, e.manager("a", projectionstest.NewCounter("counter", 1), c))
	e.waitCaughtUp("counter")
	e.waitCaughtUp("follower")
	stop()
	for _, name := range []string{"counter", "follower"} {
		if got := e.eventStoreOf(name); got != first.ID {
			t.Fatalf("checkpoint of %s records event store %s, want %s", name, got, first.ID)
		}
	}
	before := map[string]eventstore.Position{"counter": e.checkpoint("counter").Position, "follower": e.checkpoint("follower").Position}

	// The log is wiped and starts again: a new identity, new events.
	if _, err := e.pool.Exec(ctx, `TRUNCATE eventstore.events`); err != nil {
		t.Fatal(err)
	}
	second, err := eventstore.Identify(ctx, e.store, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := e.appendEvent(ctx, "counter-9", projectionstest.Event("counter.added", int64(100+i))); err != nil {
			t.Fatal(err)
		}
	}
	e.log()

	again := &consumer{seen: map[int64]bool{}, flakies: map[uuid.UUID]int{}}
	m := e.manager("b", projectionstest.NewCounter("counter", 1), again)
	runCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = m.Run(runCtx)
	timedOut := runCtx.Err()
	cancel()
	var mismatch *origin.MismatchError
	if !errors.As(err, &mismatch) || timedOut != nil {
		t.Fatalf("Run on the wiped log returned %v (context: %v), want a *origin.MismatchError at once", err, timedOut)
	}
	if f := mismatch.Foreign; mismatch.Current != second || len(f) != 1 || f[0].Kind != origin.Checkpoint ||
		!slices.Contains([]string{"counter", "follower"}, f[0].Name) || f[0].From.ID != first.ID || !f[0].From.Created.Equal(first.Created) {
		t.Fatalf("mismatch %+v, want one checkpoint from %s, this store %s", mismatch, first, second)
	}
	for name, pos := range before {
		if got := e.checkpoint(name).Position; got != pos {
			t.Fatalf("checkpoint of %s moved from %s to %s on the wiped log", name, pos, got)
		}
	}
	if got := again.handled(); len(got) != 0 {
		t.Fatalf("the consumer handled %v of the wiped log", got)
	}
	if s := statusOf(t, m, f0(mismatch)); s.State != projections.StateFailed || s.LastError != mismatch.Error() {
		t.Fatalf("status of %s: %s, %q; want failed with the mismatch", f0(mismatch), s.State, s.LastError)
	}

	names, err := m.ResetForeign(ctx, second)
	if err != nil || !slices.Equal(names, []string{"counter", "follower"}) {
		t.Fatalf("reset: %v, %v; want counter and follower", names, err)
	}
	var checkpoints int
	var view *string
	if err := e.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM projections.checkpoints), to_regclass('readmodel.counter')::text`).Scan(&checkpoints, &view); err != nil {
		t.Fatal(err)
	}
	if s := e.schemas("counter"); checkpoints != 0 || view != nil || len(s) != 0 {
		t.Fatalf("after the reset: %d checkpoints, view %v, schemas %v; want none", checkpoints, view, s)
	}
	if names, err := m.ResetForeign(ctx, second); err != nil || len(names) != 0 {
		t.Fatalf("reset again: %v, %v; want nothing to reset", names, err)
	}

	start(t, m)
	e.waitCaughtUp("counter")
	e.waitCaughtUp("follower")
	want := projectionstest.Model{
		eventstore.IdentityStream: {Events: 1},
		"counter-9":               {Events: 3, Total: 303, LastRevision: 2},
	}
	if got := e.model("counter"); !got.Equal(want) {
		t.Fatalf("the rebuilt read model is %v, want %v: the new log alone", got, want)
	}
	// 0 is the identity's event, which has no amount.
	if got := again.handled(); !slices.Equal(got, []int64{0, 100, 101, 102}) {
		t.Fatalf("the consumer handled %v, want the new log from its start", got)
	}
	for _, name := range []string{"counter", "follower"} {
		if got := e.eventStoreOf(name); got != second.ID {
			t.Fatalf("checkpoint of %s records event store %s, want %s", name, got, second.ID)
		}
	}
}

// TestUnrecordedCheckpointIsFollowed: a checkpoint that records no event
// store (written before identities were, or while the log had none) is
// followed as it is; ResetForeign adopts it rather than forget it.
func TestUnrecordedCheckpointIsFollowed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.appendN(5, 1)
	e.log()
	m := e.manager("a", projectionstest.NewCounter("counter", 1))
	stop := start(t, m)
	e.waitCaughtUp("counter")
	stop()
	if got := e.eventStoreOf("counter"); got != uuid.Nil {
		t.Fatalf("the log has no identity, yet the checkpoint records %s", got)
	}
	id, err := eventstore.Identify(ctxFor(t), e.store, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.appendN(5, 1)
	start(t, m)
	e.waitCaughtUp("counter")
	if names, err := m.ResetForeign(ctxFor(t), id); err != nil || len(names) != 0 {
		t.Fatalf("reset: %v, %v; want nothing forgotten", names, err)
	}
	if got := e.eventStoreOf("counter"); got != id.ID {
		t.Fatalf("after the reset the checkpoint records %s, want %s adopted", got, id.ID)
	}
}

// f0 is the name of the first checkpoint a mismatch names.
func f0(m *origin.MismatchError) string { return m.Foreign[0].Name }
