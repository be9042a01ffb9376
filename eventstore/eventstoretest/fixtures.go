package eventstoretest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

// NewCategory returns a category name no other test uses, so tests sharing
// a server never see each other's streams.
func NewCategory() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "t" + hex.EncodeToString(b[:])
}

// Event returns an event with a fresh id and a small JSON payload naming n.
func Event(typ string, n int) eventstore.EventData {
	return eventstore.EventData{
		ID:   uuid.New(),
		Type: typ,
		Data: fmt.Appendf(nil, `{"n":%d}`, n),
	}
}

// Events returns count events numbered from first.
func Events(typ string, first, count int) []eventstore.EventData {
	out := make([]eventstore.EventData, count)
	for i := range out {
		out[i] = Event(typ, first+i)
	}
	return out
}

func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func mustAppend(t testing.TB, s eventstore.Store, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(testContext(t), stream, expected, events...)
	if err != nil {
		t.Fatalf("append %d events to %s (expected %s): %v", len(events), stream, expected, err)
	}
	return res
}

func readStream(t testing.TB, s eventstore.Store, stream string) []eventstore.RecordedEvent {
	t.Helper()
	events, err := s.ReadStream(testContext(t), stream, eventstore.ReadOptions{Count: 1 << 20})
	if err != nil {
		t.Fatalf("read %s: %v", stream, err)
	}
	return events
}

// readCategory reads the whole global log and keeps the events of category.
func readCategory(ctx context.Context, s eventstore.Store, category string) ([]eventstore.RecordedEvent, error) {
	var (
		out  []eventstore.RecordedEvent
		from eventstore.Position
	)
	for {
		page, err := s.ReadAll(ctx, from, 4096)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			return out, nil
		}
		for _, e := range page {
			if e.Category() == category {
				out = append(out, e)
			}
		}
		from = page[len(page)-1].Position
	}
}

func recordedIDs(events []eventstore.RecordedEvent) []uuid.UUID {
	out := make([]uuid.UUID, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

func dataIDs(events []eventstore.EventData) []uuid.UUID {
	out := make([]uuid.UUID, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

// waitForCategory reads the global log until it holds at least n events of
// category, failing the test after a generous timeout.
func waitForCategory(t testing.TB, s eventstore.Store, category string, n int) []eventstore.RecordedEvent {
	t.Helper()
	ctx := testContext(t)
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := readCategory(ctx, s, category)
		if err != nil {
			t.Fatalf("read the global log: %v", err)
		}
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				t.Fatalf("global log holds %d events of %s, want %d", len(got), category, n)
			}
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// next reads one batch from sub, failing the test if none comes in time.
func next(t testing.TB, sub eventstore.Subscription) []eventstore.RecordedEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	events, err := sub.Next(ctx)
	if err != nil {
		t.Fatalf("subscription next: %v", err)
	}
	return events
}

// collect reads from sub until it has n events.
func collect(t testing.TB, sub eventstore.Subscription, n int) []eventstore.RecordedEvent {
	t.Helper()
	var got []eventstore.RecordedEvent
	for len(got) < n {
		got = append(got, next(t, sub)...)
	}
	return got
}
