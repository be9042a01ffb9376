package command_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/eventstoretest"
	"github.com/orderflow/orderflow/write/command"
)

// snapshotted counters persist their state every 100 events.
var snapshotted = func() command.Aggregate[counter] {
	a := cachedCounters
	a.Snapshot = &command.Snapshot[counter]{
		Version: 1, Every: 100,
		Encode: func(c counter) ([]byte, error) { return json.Marshal(c.n) },
		Decode: func(data []byte) (counter, error) {
			var c counter
			err := json.Unmarshal(data, &c.n)
			return c, err
		},
	}
	return a
}()

// appendRaw appends n increments to stream directly, in batches.
func appendRaw(t *testing.T, s eventstore.Store, stream string, n int) {
	t.Helper()
	for n > 0 {
		batch := make([]eventstore.EventData, min(n, 500))
		for i := range batch {
			batch[i] = eventstore.EventData{ID: uuid.New(), Type: "counter.incremented", Data: []byte(`{"v":1,"by":1}`)}
		}
		if _, err := s.Append(context.Background(), stream, eventstore.Any, batch...); err != nil {
			t.Fatal(err)
		}
		n -= len(batch)
	}
}

// TestColdLoadReadsFromTheLatestSnapshot: a handler that loads a long
// stream writes a snapshot; a handler that starts later (a restart) reads
// that snapshot and only the events after it.
func TestColdLoadReadsFromTheLatestSnapshot(t *testing.T) {
	_, s := newHandler(t)
	ctx := context.Background()
	const stream = "counter-long"
	appendRaw(t, s, stream, 1500)

	first := eventstoretest.NewCounting(s)
	h1 := command.NewHandler(first, time.Now)
	res, err := command.Execute(ctx, h1, snapshotted, "long", command.Meta{}, increment(1_000_000))
	if err != nil || res.Revision != 1500 {
		t.Fatalf("first command: %+v, %v", res, err)
	}
	if n := first.StreamReads(stream); n != 1500 {
		t.Fatalf("the first load read %d events, want the whole stream (1500)", n)
	}
	snaps, err := s.ReadStream(ctx, command.SnapshotStream(stream), eventstore.ReadOptions{Count: 10})
	if err != nil || len(snaps) != 1 || snaps[0].Type != command.SnapshotEventType {
		t.Fatalf("snapshots after a long load: %d (%v)", len(snaps), err)
	}

	// That snapshot is at revision 1499. 150 more commands through the
	// handler: it writes one more on the way (100 events later), at 1599.
	for i := range 150 {
		if _, err := command.Execute(ctx, h1, snapshotted, "long", command.Meta{}, increment(1_000_000)); err != nil {
			t.Fatalf("command %d: %v", i, err)
		}
	}
	appendRaw(t, s, stream, 30) // written by another process

	second := eventstoretest.NewCounting(s)
	h2 := command.NewHandler(second, time.Now)
	res, err = command.Execute(ctx, h2, snapshotted, "long", command.Meta{}, increment(1_000_000))
	if err != nil || res.Revision != 1681 {
		t.Fatalf("command after a restart: %+v, %v", res, err)
	}
	// The latest snapshot is at revision 1599: the load reads from there
	// (its own last event, then the 81 after it).
	if n := second.StreamReads(stream); n != 82 {
		t.Fatalf("the cold load read %d events of the stream, want 82", n)
	}
	if n := second.StreamReads(command.SnapshotStream(stream)); n != 1 {
		t.Fatalf("the cold load read %d snapshots, want 1", n)
	}
	c, err := command.Load(ctx, h2, snapshotted, "long")
	if err != nil || c.n != 1682 {
		t.Fatalf("Load = %d, %v; want 1682", c.n, err)
	}

	// A snapshot of another schema version is not read.
	other := snapshotted
	other.Snapshot = &command.Snapshot[counter]{Version: 2, Every: 100, Encode: snapshotted.Snapshot.Encode, Decode: func([]byte) (counter, error) {
		return counter{}, fmt.Errorf("never called")
	}}
	if c, err := command.Load(ctx, h2, other, "long"); err != nil || c.n != 1682 {
		t.Fatalf("Load with another snapshot version = %d, %v; want 1682 folded from the start", c.n, err)
	}
}

// TestLargeSnapshotIsSplit: a state too large for one event is persisted
// as several, appended together, and a cold load reads them all back.
func TestLargeSnapshotIsSplit(t *testing.T) {
	_, s := newHandler(t)
	ctx := context.Background()
	padding := strings.Repeat("p", 2*eventstore.MaxEventSize)
	large := snapshotted
	large.Snapshot = &command.Snapshot[counter]{
		Version: 1, Every: 100,
		Encode: func(c counter) ([]byte, error) {
			return json.Marshal(map[string]any{"n": c.n, "padding": padding})
		},
		Decode: func(data []byte) (counter, error) {
			var v struct {
				N       int    `json:"n"`
				Padding string `json:"padding"`
			}
			if err := json.Unmarshal(data, &v); err != nil || v.Padding != padding {
				return counter{}, fmt.Errorf("damaged snapshot: %v", err)
			}
			return counter{n: v.N}, nil
		},
	}
	appendRaw(t, s, "counter-large", 150)
	if _, err := command.Execute(ctx, command.NewHandler(s, time.Now), large, "large", command.Meta{}, increment(1000)); err != nil {
		t.Fatal(err)
	}
	parts, err := s.ReadStream(ctx, command.SnapshotStream("counter-large"), eventstore.ReadOptions{Count: 10})
	if err != nil || len(parts) != 4 {
		t.Fatalf("the snapshot takes %d events (%v), want 4", len(parts), err)
	}
	cold := eventstoretest.NewCounting(s)
	c, err := command.Load(ctx, command.NewHandler(cold, time.Now), large, "large")
	if err != nil || c.n != 151 {
		t.Fatalf("Load = %d, %v; want 151", c.n, err)
	}
	if n := cold.StreamReads("counter-large"); n != 2 {
		t.Fatalf("the cold load read %d events of the stream, want 2 (from the snapshot's revision on)", n)
	}
}
