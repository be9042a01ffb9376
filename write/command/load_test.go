package command_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/command"
)

// TestLoadStream: LoadStream folds the stream as Load does and tells its
// revision, the metadata of its first event and the id of its last; an
// empty stream has revision -1 and nothing else.
func TestLoadStream(t *testing.T) {
	h, s := newHandler(t)
	ctx := context.Background()
	empty, err := command.LoadStream(ctx, h, counters, "none")
	if err != nil || empty != (command.Loaded[counter]{Revision: -1}) {
		t.Fatalf("LoadStream of an empty stream = %+v, %v", empty, err)
	}
	first := command.Meta{CommandID: "cmd-1", CorrelationID: "corr-1", UserID: "u-1", TraceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", TraceState: "k=v"}
	later := command.Meta{CommandID: "cmd-2", CorrelationID: "corr-2", UserID: "u-2"}
	for i, meta := range []command.Meta{first, later, later} {
		meta.CommandID += string(rune('a' + i))
		if _, err := command.Execute(ctx, h, counters, "a", meta, increment(5)); err != nil {
			t.Fatal(err)
		}
	}
	stored, err := s.ReadStream(ctx, "counter-a", eventstore.ReadOptions{Count: 10})
	if err != nil || len(stored) != 3 {
		t.Fatalf("stream holds %d events (%v), want 3", len(stored), err)
	}
	got, err := command.LoadStream(ctx, command.NewHandler(s, nil), counters, "a")
	want := command.Loaded[counter]{State: counter{n: 3}, Revision: 2, First: stored[0].Metadata, LastID: stored[2].ID}
	if err != nil || got != want || got.First.CorrelationID != "corr-1" || got.First.TraceState != "k=v" || got.LastID == uuid.Nil {
		t.Fatalf("LoadStream = %+v, %v; want %+v", got, err, want)
	}
}
