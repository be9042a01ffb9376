package eventstoretest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
)

// testCheckpoints follows a category over a log where many events of
// another category come after its own: the subscription, made with
// Checkpoints, hands out a checkpoint beyond most of them without
// delivering any, and a subscription resumed from that checkpoint delivers
// the category's later events, all of them and nothing else.
func testCheckpoints(t *testing.T, s eventstore.Store) {
	const others = 200
	cat, other := NewCategory(), NewCategory()
	ctx := testContext(t)

	mine := Events("c", 0, 3)
	mustAppend(t, s, cat+"-1", eventstore.NoStream, mine...)
	var otherPos []eventstore.Position
	for i := 0; i < others; i += 20 {
		res := mustAppend(t, s, fmt.Sprintf("%s-%d", other, i/20%3), eventstore.Any, Events("o", i, 20)...)
		otherPos = append(otherPos, res.Position)
	}
	halfway := otherPos[len(otherPos)/2-1] // the 100th event of the other category

	sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: cat, Checkpoints: true, BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, sub, len(mine))
	if !slices.Equal(recordedIDs(got), dataIDs(mine)) {
		t.Fatal("the category's events did not come first and alone")
	}
	for !halfway.Less(sub.Checkpoint()) {
		wait, cancel := context.WithTimeout(ctx, 10*time.Second)
		extra, err := sub.Next(wait)
		cancel()
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			t.Fatalf("no checkpoint beyond the other category's %dth event came; the checkpoint is %s", others/2, sub.Checkpoint())
		case err != nil:
			t.Fatal(err)
		case len(extra) > 0:
			t.Fatalf("the subscription delivered %d events of another category", len(extra))
		}
	}
	checkpoint := sub.Checkpoint()
	sub.Close()

	later := Events("c", 3, 3)
	for i, e := range later {
		mustAppend(t, s, fmt.Sprintf("%s-%d", other, i), eventstore.Any, Events("o", others+i*5, 5)...)
		mustAppend(t, s, cat+"-2", eventstore.Any, e)
	}
	resumed, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: cat, From: checkpoint})
	if err != nil {
		t.Fatal(err)
	}
	defer resumed.Close()
	if got := collect(t, resumed, len(later)); !slices.Equal(recordedIDs(got), dataIDs(later)) {
		t.Fatal("resuming from the checkpoint did not deliver exactly the category's later events")
	}
	wait, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if extra, err := resumed.Next(wait); err == nil {
		t.Fatalf("the resumed subscription delivered %d events beyond the category's", len(extra))
	}
}
