package esdb

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/esdb/esdbtest"
)

// A retry with Any or StreamExists is recognised however many events were
// appended after the original: it returns the original result and writes
// nothing, even with the server's id cache emptied by a restart.
func TestDeepRetry(t *testing.T) {
	for _, later := range []int{40, 1000} {
		for _, expected := range []eventstore.ExpectedRevision{eventstore.Any, eventstore.StreamExists} {
			t.Run(fmt.Sprintf("%s after %d later events", expected, later), func(t *testing.T) {
				f := esdbtest.Start(t)
				s := newStandInStore(t, f)
				mustAppend(t, s, "fulfillment-1", eventstore.NoStream, events(0, 3)...)
				batch := events(3, 2)
				want := mustAppend(t, s, "fulfillment-1", expected, batch...)
				for i := 0; i < later; i += 100 {
					mustAppend(t, s, "fulfillment-1", eventstore.Any, events(10+i, min(100, later-i))...)
				}
				f.ForgetIdempotency()
				before := readLong(t, s, "fulfillment-1")
				appends, _ := f.Counts()

				got, err := s.Append(t.Context(), "fulfillment-1", expected, batch...)
				if err != nil || got != want {
					t.Fatalf("retry: %+v, %v; want the original %+v", got, err, want)
				}
				if after, _ := f.Counts(); after != appends {
					t.Fatalf("the retry sent %d appends to the server, want none", after-appends)
				}
				if after := readLong(t, s, "fulfillment-1"); !slices.Equal(ids(after), ids(before)) || len(after) != 5+later {
					t.Fatalf("stream holds %d events after the retry, want %d and unchanged", len(after), 5+later)
				}

				// A deep batch of which only part is stored is a partial
				// overlap, and a new batch is still written once.
				if _, err := s.Append(t.Context(), "fulfillment-1", expected, batch[0], event(9999)); !errors.Is(err, eventstore.ErrPartialOverlap) {
					t.Fatalf("deep partial overlap: %v, want ErrPartialOverlap", err)
				}
				res := mustAppend(t, s, "fulfillment-1", expected, event(10000))
				if res.Revision != uint64(5+later) {
					t.Fatalf("a new event went to revision %d, want %d", res.Revision, 5+later)
				}
			})
		}
	}
}

func readLong(t *testing.T, s *Store, stream string) []eventstore.RecordedEvent {
	t.Helper()
	got, err := s.ReadStream(t.Context(), stream, eventstore.ReadOptions{Count: 5000})
	if err != nil {
		t.Fatalf("read %s: %v", stream, err)
	}
	return got
}
