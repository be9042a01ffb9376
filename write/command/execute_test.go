package command_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/domain"
)

// A counter is the smallest aggregate: it counts up to a limit.
type counter struct{ n int }

type incremented struct {
	V  int `json:"v"`
	By int `json:"by"`
}

func (incremented) EventType() string { return "counter.incremented" }

var errLimit = domain.Rule("counter_limit", "the counter is at its limit")

var counters = command.Aggregate[counter]{
	Category: "counter",
	Evolve: func(c counter, e domain.Event) counter {
		if i, ok := e.(incremented); ok {
			c.n += i.By
		}
		return c
	},
	Decode: func(typ string, data []byte) (domain.Event, error) {
		if typ != "counter.incremented" {
			return nil, fmt.Errorf("unknown event type %q", typ)
		}
		var e incremented
		err := json.Unmarshal(data, &e)
		return e, err
	},
}

func increment(limit int) command.Decider[counter] {
	return func(c counter, _ time.Time) ([]domain.Event, error) {
		if c.n >= limit {
			return nil, errLimit
		}
		return []domain.Event{incremented{V: 1, By: 1}}, nil
	}
}

func newHandler(t *testing.T) (*command.Handler, eventstore.Store) {
	t.Helper()
	s, err := pg.New(context.Background(), pg.Config{DatabaseURL: dbtest.New(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return command.NewHandler(s, func() time.Time { return now }), s
}

func TestExecute(t *testing.T) {
	h, s := newHandler(t)
	ctx := context.Background()
	meta := command.Meta{CommandID: "cmd-1", CorrelationID: "corr-1", UserID: "u-1", TraceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}

	first, err := command.Execute(ctx, h, counters, "a", meta, increment(2))
	if err != nil {
		t.Fatal(err)
	}
	if first.Stream != "counter-a" || first.Revision != 0 || len(first.Events) != 1 || first.Position.IsZero() {
		t.Fatalf("first increment: %+v", first)
	}
	second, err := command.Execute(ctx, h, counters, "a", meta, increment(2))
	if err != nil || second.Revision != 1 {
		t.Fatalf("second increment: %+v, %v", second, err)
	}
	if _, err := command.Execute(ctx, h, counters, "a", meta, increment(2)); !errors.Is(err, errLimit) || !errors.Is(err, domain.ErrRule) {
		t.Fatalf("increment past the limit: %v, want errLimit", err)
	}

	stored, err := s.ReadStream(ctx, "counter-a", eventstore.ReadOptions{Count: 10})
	if err != nil || len(stored) != 2 {
		t.Fatalf("stream holds %d events (%v), want 2", len(stored), err)
	}
	want := eventstore.Metadata{CorrelationID: "corr-1", CausationID: "cmd-1", UserID: "u-1", TraceParent: meta.TraceParent}
	if stored[0].Metadata != want || stored[0].Type != "counter.incremented" || string(stored[0].Data) != `{"v":1,"by":1}` {
		t.Fatalf("stored event: %s %s %+v", stored[0].Type, stored[0].Data, stored[0].Metadata)
	}
}

func TestExecuteNoOp(t *testing.T) {
	h, s := newHandler(t)
	ctx := context.Background()
	noop := func(counter, time.Time) ([]domain.Event, error) { return nil, nil }
	res, err := command.Execute(ctx, h, counters, "b", command.Meta{}, noop)
	if err != nil || res.Revision != -1 || len(res.Events) != 0 {
		t.Fatalf("no-op on an empty stream: %+v, %v", res, err)
	}
	if _, err := s.ReadStream(ctx, "counter-b", eventstore.ReadOptions{Count: 1}); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("a no-op wrote to the stream: %v", err)
	}
}

func TestExecuteIdempotencyKey(t *testing.T) {
	h, s := newHandler(t)
	ctx := context.Background()
	meta := command.Meta{IdempotencyKey: "key-1"}
	first, err := command.Execute(ctx, h, counters, "c", meta, increment(10))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := command.Execute(ctx, h, counters, "c", command.Meta{}, increment(10)); err != nil {
		t.Fatal(err)
	}
	again, err := command.Execute(ctx, h, counters, "c", meta, increment(10))
	if err != nil {
		t.Fatal(err)
	}
	if !again.Replayed || again.Revision != first.Revision || again.Position != first.Position || len(again.Events) != 1 {
		t.Fatalf("retry with the same key: %+v, want the original %+v replayed", again, first)
	}
	stored, _ := s.ReadStream(ctx, "counter-c", eventstore.ReadOptions{Count: 10})
	if len(stored) != 2 || stored[0].ID != command.EventID("counter-c", "key-1", 0) {
		t.Fatalf("stream holds %d events, first id %s", len(stored), stored[0].ID)
	}
	other, err := command.Execute(ctx, h, counters, "c", command.Meta{IdempotencyKey: "key-2"}, increment(10))
	if err != nil || other.Replayed || other.Revision != 2 {
		t.Fatalf("another key: %+v, %v", other, err)
	}
}

func TestExecuteConcurrentCommands(t *testing.T) {
	h, s := newHandler(t)
	ctx := context.Background()
	const writers = 8
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := command.Execute(ctx, h, counters, "d", command.Meta{}, increment(100))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a concurrent command failed: %v", err)
		}
	}
	stored, err := s.ReadStream(ctx, "counter-d", eventstore.ReadOptions{Count: 100})
	if err != nil || len(stored) != writers {
		t.Fatalf("stream holds %d events (%v), want %d: every command must land exactly once", len(stored), err, writers)
	}
}

func TestEventIDIsDeterministic(t *testing.T) {
	a := command.EventID("order-1", "k", 0)
	if a != command.EventID("order-1", "k", 0) {
		t.Fatal("same inputs, different ids")
	}
	for _, other := range []struct {
		stream, key string
		i           int
	}{{"order-2", "k", 0}, {"order-1", "k2", 0}, {"order-1", "k", 1}, {"order-1k", "", 0}} {
		if command.EventID(other.stream, other.key, other.i) == a {
			t.Fatalf("%+v shares an id with order-1/k/0", other)
		}
	}
}

func TestCreate(t *testing.T) {
	h, s := newHandler(t)
	ctx := context.Background()
	first, err := command.Create(ctx, h, counters, "e", command.Meta{}, increment(1))
	if err != nil || first.Revision != 0 {
		t.Fatalf("create: %+v, %v", first, err)
	}
	// The stream exists now: Create falls back to deciding on its state.
	if _, err := command.Create(ctx, h, counters, "e", command.Meta{}, increment(1)); !errors.Is(err, errLimit) {
		t.Fatalf("create on an existing aggregate: %v, want the rule of its real state", err)
	}
	second, err := command.Create(ctx, h, counters, "e", command.Meta{}, increment(5))
	if err != nil || second.Revision != 1 {
		t.Fatalf("create on an existing aggregate with room: %+v, %v", second, err)
	}
	keyed, err := command.Create(ctx, h, counters, "f", command.Meta{IdempotencyKey: "k"}, increment(5))
	if err != nil {
		t.Fatal(err)
	}
	again, err := command.Create(ctx, h, counters, "f", command.Meta{IdempotencyKey: "k"}, increment(5))
	if err != nil || !again.Replayed || again.Position != keyed.Position {
		t.Fatalf("keyed retry: %+v, %v", again, err)
	}
	if stored, _ := s.ReadStream(ctx, "counter-f", eventstore.ReadOptions{Count: 10}); len(stored) != 1 {
		t.Fatalf("keyed retry wrote again: %d events", len(stored))
	}
}

// TestSnapshots runs commands through two handlers on one store, so each
// handler's snapshot falls behind the other's writes: every decision must
// still see the whole stream, and a retried key must still be recognised.
func TestSnapshots(t *testing.T) {
	h1, s := newHandler(t)
	h2 := command.NewHandler(s, time.Now)
	ctx := context.Background()
	cached := counters
	cached.Clone = func(c counter) counter { return c }

	for i := range 6 {
		h := h1
		if i%2 == 1 {
			h = h2
		}
		res, err := command.Execute(ctx, h, cached, "snap", command.Meta{}, increment(100))
		if err != nil || res.Revision != int64(i) {
			t.Fatalf("command %d: %+v, %v; want revision %d", i, res, err, i)
		}
	}
	if c, err := command.Load(ctx, h1, cached, "snap"); err != nil || c.n != 6 {
		t.Fatalf("h1 loads %d, %v; want 6", c.n, err)
	}
	if _, err := command.Execute(ctx, h2, cached, "snap", command.Meta{}, increment(6)); !errors.Is(err, errLimit) {
		t.Fatalf("a snapshot behind the stream let the limit pass: %v", err)
	}

	keyed, err := command.Execute(ctx, h1, cached, "snap", command.Meta{IdempotencyKey: "k"}, increment(100))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := command.Execute(ctx, h2, cached, "snap", command.Meta{}, increment(100)); err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range []*command.Handler{h1, h2} {
		again, err := command.Execute(ctx, h, cached, "snap", command.Meta{IdempotencyKey: "k"}, increment(100))
		if err != nil || !again.Replayed || again.Revision != keyed.Revision || len(again.Events) != 1 {
			t.Fatalf("keyed retry after later commands: %+v, %v; want the original revision %d replayed", again, err, keyed.Revision)
		}
	}
	if stored, _ := s.ReadStream(ctx, "counter-snap", eventstore.ReadOptions{Count: 100}); len(stored) != 10 {
		t.Fatalf("stream holds %d events, want 10", len(stored))
	}
}
