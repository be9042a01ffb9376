package eventstoretest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/orderflow/orderflow/eventstore"
)

func testAppend(t *testing.T, s eventstore.Store) {
	cat := NewCategory()
	stream := cat + "-1"
	ctx := testContext(t)

	first := mustAppend(t, s, stream, eventstore.NoStream, Events("e", 0, 3)...)
	if first.Revision != 2 {
		t.Fatalf("append 3 events to a new stream: revision %d, want 2", first.Revision)
	}
	if first.Position.IsZero() {
		t.Fatal("append returned the zero position")
	}

	conflicts := []struct {
		name     string
		stream   string
		expected eventstore.ExpectedRevision
		exists   bool
		actual   uint64
	}{
		{"no stream on an existing stream", stream, eventstore.NoStream, true, 2},
		{"exact revision behind", stream, eventstore.Exact(1), true, 2},
		{"exact revision ahead", stream, eventstore.Exact(7), true, 2},
		{"stream exists on a missing stream", cat + "-missing", eventstore.StreamExists, false, 0},
		{"exact revision on a missing stream", cat + "-missing", eventstore.Exact(0), false, 0},
	}
	for _, tc := range conflicts {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Append(ctx, tc.stream, tc.expected, Event("e", 99))
			var c *eventstore.ConflictError
			if !errors.As(err, &c) || !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
				t.Fatalf("got %v, want a *ConflictError matching ErrWrongExpectedRevision", err)
			}
			if c.Stream != tc.stream || c.Expected != tc.expected {
				t.Fatalf("conflict names %s expected %s, want %s expected %s", c.Stream, c.Expected, tc.stream, tc.expected)
			}
			if c.ActualKnown && (c.Exists != tc.exists || c.Exists && c.Actual != tc.actual) {
				t.Fatalf("conflict says exists=%v actual=%d, want exists=%v actual=%d", c.Exists, c.Actual, tc.exists, tc.actual)
			}
		})
	}
	if got := readStream(t, s, stream); len(got) != 3 {
		t.Fatalf("after the conflicts the stream has %d events, want 3", len(got))
	}
	if _, err := s.ReadStream(ctx, cat+"-missing", eventstore.ReadOptions{Count: 10}); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("failed appends created %s-missing: read returns %v", cat, err)
	}

	next := mustAppend(t, s, stream, eventstore.Exact(2), Event("e", 3))
	if next.Revision != 3 || !first.Position.Less(next.Position) {
		t.Fatalf("exact append: %+v after %+v, want revision 3 at a later position", next, first)
	}
	exists := mustAppend(t, s, stream, eventstore.StreamExists, Event("e", 4), Event("e", 5))
	if exists.Revision != 5 {
		t.Fatalf("stream-exists append: revision %d, want 5", exists.Revision)
	}
	anyNew := mustAppend(t, s, cat+"-2", eventstore.Any, Event("e", 0))
	anyOld := mustAppend(t, s, stream, eventstore.Any, Event("e", 6))
	if anyNew.Revision != 0 || anyOld.Revision != 6 {
		t.Fatalf("any appends: revisions %d and %d, want 0 and 6", anyNew.Revision, anyOld.Revision)
	}

	got := readStream(t, s, stream)
	for i, e := range got {
		if e.Revision != uint64(i) || e.Stream != stream || string(e.Data) != `{"n":`+strconv.Itoa(i)+`}` {
			t.Fatalf("event %d reads back as revision %d of %s with data %s", i, e.Revision, e.Stream, e.Data)
		}
		if i > 0 && !got[i-1].Position.Less(e.Position) {
			t.Fatalf("positions within the stream do not increase: %s then %s", got[i-1].Position, e.Position)
		}
	}
	if len(got) != 7 {
		t.Fatalf("stream has %d events, want 7", len(got))
	}
}

func testIdempotency(t *testing.T, s eventstore.Store) {
	cat := NewCategory()
	ctx := testContext(t)

	cases := []struct {
		name     string
		expected func(stream string) eventstore.ExpectedRevision
		prefill  int
	}{
		{"no stream", func(string) eventstore.ExpectedRevision { return eventstore.NoStream }, 0},
		{"exact revision", func(string) eventstore.ExpectedRevision { return eventstore.Exact(1) }, 2},
		{"any", func(string) eventstore.ExpectedRevision { return eventstore.Any }, 2},
		{"stream exists", func(string) eventstore.ExpectedRevision { return eventstore.StreamExists }, 2},
	}
	for i, tc := range cases {
		for _, size := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/%d events", tc.name, size), func(t *testing.T) {
				stream := cat + "-" + strconv.Itoa(i) + "-" + strconv.Itoa(size)
				if tc.prefill > 0 {
					mustAppend(t, s, stream, eventstore.NoStream, Events("pre", 0, tc.prefill)...)
				}
				batch := Events("e", 0, size)
				want := mustAppend(t, s, stream, tc.expected(stream), batch...)
				for retry := range 3 {
					got, err := s.Append(ctx, stream, tc.expected(stream), batch...)
					if err != nil {
						t.Fatalf("retry %d of a stored batch: %v", retry, err)
					}
					if got != want {
						t.Fatalf("retry %d returned %+v, want the original %+v", retry, got, want)
					}
				}
				// Whatever the expected revision, a stored batch is found.
				for _, expected := range []eventstore.ExpectedRevision{eventstore.NoStream, eventstore.Any, eventstore.StreamExists, eventstore.Exact(0), eventstore.Exact(9)} {
					got, err := s.Append(ctx, stream, expected, batch...)
					if err != nil || got != want {
						t.Fatalf("retry expecting %s: %+v, %v, want the original %+v", expected, got, err, want)
					}
				}
				if n := len(readStream(t, s, stream)); n != tc.prefill+size {
					t.Fatalf("after retries the stream has %d events, want %d", n, tc.prefill+size)
				}
			})
		}
	}

	t.Run("partial overlap", func(t *testing.T) {
		stream := cat + "-overlap"
		batch := Events("e", 0, 3)
		mustAppend(t, s, stream, eventstore.NoStream, batch...)
		overlapping := []eventstore.EventData{batch[1], batch[2], Event("e", 3)}
		_, err := s.Append(ctx, stream, eventstore.Exact(0), overlapping...)
		if !errors.Is(err, eventstore.ErrPartialOverlap) {
			t.Fatalf("a batch overlapping stored events: got %v, want ErrPartialOverlap", err)
		}
		if got := readStream(t, s, stream); !slices.Equal(recordedIDs(got), dataIDs(batch)) {
			t.Fatalf("after the overlapping append the stream holds %v, want %v", recordedIDs(got), dataIDs(batch))
		}
	})
}
