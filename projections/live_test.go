package projections_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

// TestReadLive reads a projection's live generation with its checkpoint
// and the streams of its parked events, consistently: the rows are the
// effect of the log up to the checkpoint; and says when there is no live
// generation yet.
func TestReadLive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxFor(t)
	found, err := projections.ReadLive(ctx, e.pool, "counter", func(context.Context, pgx.Tx, projections.Live) error {
		t.Fatal("fn called for a projection never built")
		return nil
	})
	if err != nil || found {
		t.Fatalf("ReadLive of a projection never built = %v, %v; want false, nil", found, err)
	}

	c := projectionstest.NewCounter("counter", 1)
	c.Reject(rejectPoison)
	for i := range 40 {
		ev := projectionstest.Event("counter.added", int64(i))
		if i == 13 || i == 29 {
			ev.Type = "counter.poison"
		}
		if err := e.appendEvent(ctx, fmt.Sprintf("counter-%d", i%4), ev); err != nil {
			t.Fatal(err)
		}
	}
	stop := start(t, e.manager("a", c))
	waitFor(t, 10*time.Second, "the first build", func() bool { return e.checkpoint("counter").Generation == 1 })
	e.waitCaughtUp("counter")
	stop()

	var (
		live  projections.Live
		model projectionstest.Model
	)
	found, err = projections.ReadLive(ctx, e.pool, "counter", func(ctx context.Context, tx pgx.Tx, l projections.Live) error {
		live = l
		var err error
		model, err = projectionstest.Read(ctx, tx, l.Schema+".counter")
		return err
	})
	if err != nil || !found {
		t.Fatalf("ReadLive = %v, %v; want true, nil", found, err)
	}
	cp := e.checkpoint("counter")
	want := projections.Live{Schema: `"proj_counter_1"`, Position: cp.Position, Parked: []string{"counter-1"}}
	if !reflect.DeepEqual(live, want) {
		t.Fatalf("live = %+v, want %+v", live, want)
	}
	var upTo []eventstore.RecordedEvent
	for _, ev := range e.log() {
		if !cp.Position.Less(ev.Position) {
			upTo = append(upTo, ev)
		}
	}
	if expect := projectionstest.Expect(upTo, 1, func(ev eventstore.RecordedEvent) bool { return ev.Type == "counter.poison" }); !model.Equal(expect) {
		t.Fatalf("rows read = %v, want %v", model, expect)
	}
}
