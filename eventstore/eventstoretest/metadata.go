package eventstoretest

import (
	"testing"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

func testMetadata(t *testing.T, s eventstore.Store) {
	cat := NewCategory()
	stream := cat + "-1"
	meta := eventstore.Metadata{
		CorrelationID: "corr-" + uuid.NewString(),
		CausationID:   uuid.NewString(),
		UserID:        "user-42",
		TraceParent:   "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		TraceState:    "orderflow=t61rcWkgMzE",
	}
	data := []byte(`{ "b": 1,  "a": [1, 2, {"z": "ü"}] }`)
	e := eventstore.EventData{ID: uuid.New(), Type: "order.placed", Data: data, Metadata: meta}
	res := mustAppend(t, s, stream, eventstore.NoStream, e, Event("plain", 1))

	check := func(t *testing.T, how string, got eventstore.RecordedEvent) {
		t.Helper()
		if got.ID != e.ID || got.Type != e.Type || got.Stream != stream || got.Revision != 0 {
			t.Fatalf("%s: read back %s %s %s@%d", how, got.ID, got.Type, got.Stream, got.Revision)
		}
		if string(got.Data) != string(data) {
			t.Fatalf("%s: data %q, want the exact bytes %q", how, got.Data, data)
		}
		if got.Metadata != meta {
			t.Fatalf("%s: metadata %+v, want %+v", how, got.Metadata, meta)
		}
		if got.Recorded.IsZero() {
			t.Fatalf("%s: no recorded time", how)
		}
	}
	t.Run("read stream", func(t *testing.T) {
		got := readStream(t, s, stream)
		check(t, "read stream", got[0])
		if got[1].Metadata != (eventstore.Metadata{}) {
			t.Fatalf("an event without metadata reads back with %+v", got[1].Metadata)
		}
		if got[1].Position != res.Position {
			t.Fatalf("last event at %s, append returned %s", got[1].Position, res.Position)
		}
	})
	t.Run("read all", func(t *testing.T) {
		check(t, "read all", waitForCategory(t, s, cat, 2)[0])
	})
	t.Run("subscription", func(t *testing.T) {
		sub, err := s.Subscribe(testContext(t), eventstore.SubscribeOptions{Category: cat})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		check(t, "subscription", collect(t, sub, 2)[0])
	})
}
