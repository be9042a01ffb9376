package esdb

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"

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
				// Once more after more events: the index of the stream's
				// ids is extended, not trusted as it was.
				mustAppend(t, s, "fulfillment-1", eventstore.Any, events(20000, 60)...)
				if got, err := s.Append(t.Context(), "fulfillment-1", expected, batch...); err != nil || got != want {
					t.Fatalf("retry after the index was built: %+v, %v; want the original %+v", got, err, want)
				}
				if n := len(readLong(t, s, "fulfillment-1")); n != 5+later+61 {
					t.Fatalf("stream holds %d events, want %d", n, 5+later+61)
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

// The index of ids keeps what it read of each stream, reads only what it
// lacks, and forgets the least recently used streams beyond its bound.
func TestIDIndex(t *testing.T) {
	stored := map[string][]uuid.UUID{}
	for _, stream := range []string{"a", "b"} {
		for range 10 {
			stored[stream] = append(stored[stream], uuid.New())
		}
	}
	var reads []string
	x := newIDIndex(15)
	look := func(stream string, below uint64, ids ...uuid.UUID) []int64 {
		t.Helper()
		batch := make([]eventstore.EncodedEvent, len(ids))
		for i, id := range ids {
			batch[i].ID = id
		}
		revs, err := x.lookUp(t.Context(), stream, batch, below, func(from, to uint64, add func(uuid.UUID, uint64)) error {
			reads = append(reads, fmt.Sprintf("%s[%d,%d)", stream, from, to))
			for r := from; r < to && r < uint64(len(stored[stream])); r++ {
				add(stored[stream][r], r)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return revs
	}
	a := stored["a"]
	if got := look("a", 5, a[2], a[3]); !slices.Equal(got, []int64{2, 3}) {
		t.Fatalf("a below 5: %v", got)
	}
	if got := look("a", 8, a[6], uuid.New()); !slices.Equal(got, []int64{6, -1}) {
		t.Fatalf("a below 8: %v", got)
	}
	if got := look("a", 4, a[6]); !slices.Equal(got, []int64{-1}) {
		t.Fatalf("a below 4 must not see revision 6: %v", got)
	}
	look("b", 10, stored["b"][0]) // 8 + 10 ids: over the bound, a goes
	look("a", 8, a[1])
	want := []string{"a[0,5)", "a[5,8)", "b[0,10)", "a[0,8)"}
	if !slices.Equal(reads, want) {
		t.Fatalf("reads %v, want %v", reads, want)
	}
}
