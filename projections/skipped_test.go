package projections_test

import (
	"context"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/esdb"
	"github.com/orderflow/orderflow/eventstore/esdb/esdbtest"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

// TestLiveCheckpointPassesSkippedEvents: events the subscription skips
// (here EventStoreDB's own, on the esdbtest stand-in) move the live
// checkpoint on through the checkpoints the store hands out, so that a
// restart does not read them again.
func TestLiveCheckpointPassesSkippedEvents(t *testing.T) {
	e := newEnv(t)
	f := esdbtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store, err := esdb.New(ctx, esdb.Config{URL: f.URL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	start(t, e.managerWith(projections.Config{Owner: "a", Store: store, Projections: []projections.Projection{projectionstest.NewCounter("counter", 1)}}))

	res, err := store.Append(ctxFor(t), "counter-1", eventstore.Any, projectionstest.Event("counter.added", 1))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the counter to apply its event", func() bool {
		return !e.checkpoint("counter").Position.Less(res.Position)
	})
	var skipped []eventstore.Position
	for range 100 {
		commit, prepare := f.Write("$stats-127.0.0.1:2113", "$statsCollected", []byte(`{}`))
		skipped = append(skipped, eventstore.Position{Commit: commit, Prepare: prepare})
	}
	waitFor(t, 30*time.Second, "the checkpoint to pass the skipped events", func() bool {
		return !e.checkpoint("counter").Position.Less(skipped[63])
	})
}
