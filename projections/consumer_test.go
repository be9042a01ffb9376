package projections_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

// consumer is a projections.Consumer that notes the amounts of the events
// it handled; it refuses consumer.poison events, and fails the first
// attempt at each consumer.flaky event with an error marked Retry.
type consumer struct {
	mu      sync.Mutex
	seen    map[int64]bool
	flakies map[uuid.UUID]int
}

func (*consumer) Name() string           { return "follower" }
func (*consumer) Version() int           { return 1 }
func (*consumer) Tables(string) []string { return nil }
func (*consumer) Views() []string        { return nil }
func (*consumer) Consumer()              {}

var errFlaky = errors.New("the service is down")

func (c *consumer) Apply(_ context.Context, _ *projections.Writer, e eventstore.RecordedEvent) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch e.Type {
	case "consumer.poison":
		return errPoison
	case "consumer.flaky":
		c.flakies[e.ID]++
		if c.flakies[e.ID] == 1 {
			return projections.Retry(errFlaky)
		}
	}
	var d struct {
		Amount int64 `json:"amount"`
	}
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return err
	}
	c.seen[d.Amount] = true
	return nil
}

func (c *consumer) handled() []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int64
	for a := range c.seen {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// TestConsumerFollowsFromStartAndParks runs a consumer: it starts at the
// start of the log with no rebuild and no schema, parks the event it
// refuses, retries the one whose failure is marked Retry instead of
// parking it, shows in the status as a consumer, and refuses a rebuild.
func TestConsumerFollowsFromStartAndParks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i, typ := range []string{"consumer.added", "consumer.poison", "consumer.flaky", "consumer.added"} {
		ev := projectionstest.Event("counter.added", int64(i+1))
		ev.Type = typ
		if err := e.appendEvent(ctxFor(t), "counter-1", ev); err != nil {
			t.Fatal(err)
		}
	}
	e.log()
	c := &consumer{seen: map[int64]bool{}, flakies: map[uuid.UUID]int{}}
	m := e.manager("a", c)
	start(t, m)
	e.waitCaughtUp("follower")

	if got := e.checkpoint("follower"); got.Generation != 1 || got.Version != 1 {
		t.Fatalf("checkpoint = %+v, want generation 1 of version 1", got)
	}
	if got := c.handled(); !slices.Equal(got, []int64{1, 3, 4}) {
		t.Fatalf("handled %v, want 1, 3 and 4", got)
	}
	if s := e.schemas("follower"); len(s) != 0 {
		t.Fatalf("a consumer has schemas %v, want none", s)
	}
	dead, err := m.DeadLetters(ctxFor(t), "follower")
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].Type != "consumer.poison" || dead[0].Reason != errPoison.Error() {
		t.Fatalf("dead letters = %+v, want the poison alone", dead)
	}
	s := statusOf(t, m, "follower")
	if !s.Consumer || s.DeadLetters != 1 || s.State != projections.StateLive {
		t.Fatalf("status = %+v, want a live consumer with one dead letter", s)
	}
	if _, err := m.Rebuild(ctxFor(t), "follower", nil); !errors.Is(err, projections.ErrNotRebuildable) {
		t.Fatalf("rebuild: err = %v, want ErrNotRebuildable", err)
	}
	res, err := m.Redrive(ctxFor(t), "follower", dead[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != 0 || len(res.Failed) != 1 {
		t.Fatalf("redrive = %+v, want the poison refused again", res)
	}
	waitFor(t, 5*time.Second, "the status", func() bool { return statusOf(t, m, "follower").DeadLetters == 1 })
}

// TestElsewhereReportedNotRun registers a consumer as run elsewhere: the
// Manager lists it in its status but does not run it.
func TestElsewhereReportedNotRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := e.appendEvent(ctxFor(t), "counter-1", projectionstest.Event("consumer.added", 1)); err != nil {
		t.Fatal(err)
	}
	e.log()
	c := &consumer{seen: map[int64]bool{}, flakies: map[uuid.UUID]int{}}
	counter := projectionstest.NewCounter("counter", 1)
	m := e.managerWith(projections.Config{Owner: "a", Projections: []projections.Projection{counter}, Elsewhere: []projections.Projection{c}})
	start(t, m)
	e.waitCaughtUp("counter")
	if got := m.Names(); !slices.Equal(got, []string{"counter", "follower"}) {
		t.Fatalf("names %v, want counter and follower", got)
	}
	s := statusOf(t, m, "follower")
	if !s.Consumer || s.Generation != 0 || s.State != projections.StateStopped {
		t.Fatalf("status of the consumer run elsewhere: %+v, want stopped with no generation", s)
	}
	if got := c.handled(); len(got) != 0 {
		t.Fatalf("the consumer run elsewhere handled %v here", got)
	}
}
