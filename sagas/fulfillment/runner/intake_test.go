package runner_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
	"github.com/orderflow/orderflow/write/order"
)

// intakeManager is a projections.Manager that knows the intake of w, for
// its status, dead letters and redrive; it is not run.
func intakeManager(t *testing.T, w *world) *projections.Manager {
	t.Helper()
	m, err := projections.New(projections.Config{Pool: w.cfg.Pool, Store: w.cfg.Store,
		Projections: []projections.Projection{runner.New(w.cfg).Intake()}, Owner: "observer"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPoisonOrderEventParked gives the intake an order.placed it cannot
// decode: it is parked as the intake's dead letter, redriving it refuses
// it again, and the orders placed after it still start their sagas.
func TestPoisonOrderEventParked(t *testing.T) {
	w := newWorld(t, time.Minute)
	w.product("A", 1999, 100)
	poison := uuid.New()
	if _, err := w.cfg.Store.Append(w.ctx, order.StreamID(uuid.NewString()), eventstore.Any,
		eventstore.EventData{ID: poison, Type: order.TypePlaced, Data: []byte(`{"orderId":42}`)}); err != nil {
		t.Fatal(err)
	}
	id := w.place("DE", order.LineRequest{SKU: "A", Quantity: 1})
	if s := w.finished(id); !s.Completed {
		t.Fatalf("saga %s after the poison: %+v, want completed", id, s.History)
	}
	m := intakeManager(t, w)
	var dead []projections.DeadLetter
	waitFor(t, 10*time.Second, "the poison parked", func() bool {
		var err error
		dead, err = m.DeadLetters(w.ctx, runner.IntakeName)
		return err == nil && len(dead) == 1
	})
	if dead[0].EventID != poison || dead[0].Type != order.TypePlaced {
		t.Fatalf("dead letter %+v, want the poison %s", dead[0], poison)
	}
	res, err := m.Redrive(w.ctx, runner.IntakeName, dead[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != 0 || len(res.Failed) != 1 {
		t.Fatalf("redrive: %+v, want the poison refused again", res)
	}
	st, err := m.Status(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || !st[0].Consumer || st[0].DeadLetters != 1 || st[0].Owner != w.cfg.Owner {
		t.Fatalf("status %+v, want the intake, a consumer owned by %s, with one dead letter", st, w.cfg.Owner)
	}
	if _, err := m.Rebuild(w.ctx, runner.IntakeName, nil); err == nil {
		t.Fatal("the intake was rebuilt")
	}
}

// TestIntakeResumesFromCheckpoint restarts the runner: the intake goes on
// from its checkpoint, past the orders it had handled, and appends no
// saga event again.
func TestIntakeResumesFromCheckpoint(t *testing.T) {
	w := newWorld(t, time.Minute)
	w.product("A", 1999, 100)
	first := w.place("DE", order.LineRequest{SKU: "A", Quantity: 1})
	if s := w.finished(first); !s.Completed {
		t.Fatalf("saga %s: %+v, want completed", first, s.History)
	}
	before := w.sagaEvents(first)
	// The intake wakes a saga as it handles the order event, so the saga
	// may finish before the intake's batch, with its checkpoint, commits.
	checkpoint := func() int64 {
		var commit int64
		if err := w.cfg.Pool.QueryRow(w.ctx, `SELECT COALESCE((SELECT commit_pos FROM projections.checkpoints WHERE name = $1), 0)`, runner.IntakeName).Scan(&commit); err != nil {
			t.Fatal(err)
		}
		return commit
	}
	waitFor(t, 10*time.Second, "the intake's checkpoint", func() bool { return checkpoint() > 0 })
	w.stop()
	from := checkpoint()
	w.start()
	second := w.place("DE", order.LineRequest{SKU: "A", Quantity: 1})
	if s := w.finished(second); !s.Completed {
		t.Fatalf("saga %s after the restart: %+v, want completed", second, s.History)
	}
	after := w.sagaEvents(first)
	if len(after) != len(before) || after[fulfillment.TypeStarted] != 1 {
		t.Fatalf("the first saga's events before the restart %v, after %v", before, after)
	}
	waitFor(t, 10*time.Second, fmt.Sprintf("the intake's checkpoint to move on from %d", from), func() bool {
		return checkpoint() > from
	})
}
