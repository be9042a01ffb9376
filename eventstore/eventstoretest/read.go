package eventstoretest

import (
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

func testReadStream(t *testing.T, s eventstore.Store) {
	cat := NewCategory()
	stream := cat + "-1"
	ctx := testContext(t)
	batch := Events("e", 0, 10)
	mustAppend(t, s, stream, eventstore.NoStream, batch...)
	all := dataIDs(batch)
	reversed := slices.Clone(all)
	slices.Reverse(reversed)

	cases := []struct {
		name string
		opts eventstore.ReadOptions
		want []uuid.UUID
	}{
		{"forwards from the start", eventstore.ReadOptions{Count: 100}, all},
		{"forwards from a revision with a count", eventstore.ReadOptions{From: 2, Count: 3}, all[2:5]},
		{"forwards past the end", eventstore.ReadOptions{From: 10, Count: 5}, nil},
		{"forwards to the end", eventstore.ReadOptions{From: 8, Count: 5}, all[8:]},
		{"backwards from the end", eventstore.ReadOptions{Direction: eventstore.Backwards, From: eventstore.End, Count: 3}, reversed[:3]},
		{"backwards from a revision", eventstore.ReadOptions{Direction: eventstore.Backwards, From: 4, Count: 100}, reversed[5:]},
		{"backwards from beyond the end", eventstore.ReadOptions{Direction: eventstore.Backwards, From: 50, Count: 2}, reversed[:2]},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ReadStream(ctx, stream, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(recordedIDs(got), tc.want) {
				t.Fatalf("read %+v: got %v, want %v", tc.opts, recordedIDs(got), tc.want)
			}
		})
	}
	t.Run("missing stream", func(t *testing.T) {
		for _, dir := range []eventstore.Direction{eventstore.Forwards, eventstore.Backwards} {
			_, err := s.ReadStream(ctx, cat+"-none", eventstore.ReadOptions{Direction: dir, From: eventstore.End, Count: 1})
			if !errors.Is(err, eventstore.ErrStreamNotFound) {
				t.Fatalf("direction %d: got %v, want ErrStreamNotFound", dir, err)
			}
		}
	})
}

func testReadAll(t *testing.T, s eventstore.Store) {
	cat := NewCategory()
	ctx := testContext(t)
	var want []uuid.UUID
	var last eventstore.AppendResult
	for i := range 5 {
		batch := Events("e", i*3, 3)
		last = mustAppend(t, s, cat+"-"+strconv.Itoa(i%2), eventstore.Any, batch...)
		want = append(want, dataIDs(batch)...)
	}
	got := waitForCategory(t, s, cat, len(want))
	if !slices.Equal(recordedIDs(got), want) {
		t.Fatalf("global log holds %v, want %v", recordedIDs(got), want)
	}
	for i := 1; i < len(got); i++ {
		if !got[i-1].Position.Less(got[i].Position) {
			t.Fatalf("global positions do not increase: %s then %s", got[i-1].Position, got[i].Position)
		}
	}
	if got[len(got)-1].Position != last.Position {
		t.Fatalf("last event at %s, but its append returned %s", got[len(got)-1].Position, last.Position)
	}

	t.Run("after a position is exclusive", func(t *testing.T) {
		page, err := s.ReadAll(ctx, got[6].Position, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 || page[0].ID != got[7].ID {
			t.Fatalf("read all after event 6 starts with %v, want event 7 %s", recordedIDs(page), got[7].ID)
		}
		if len(page) > 3 {
			t.Fatalf("read all of 3 returned %d events", len(page))
		}
	})
	t.Run("backwards", func(t *testing.T) {
		br, ok := s.(eventstore.BackwardsReader)
		if !ok {
			t.Skipf("%T does not read the log backwards", s)
		}
		all, err := br.ReadAllBackwards(ctx, got[7].Position, 4096)
		if err != nil {
			t.Fatal(err)
		}
		var page []eventstore.RecordedEvent
		for i, e := range all {
			if i > 0 && !e.Position.Less(all[i-1].Position) {
				t.Fatalf("read all backwards: %s after %s", e.Position, all[i-1].Position)
			}
			if e.Category() == cat && len(page) < 3 {
				page = append(page, e)
			}
		}
		if want := []uuid.UUID{got[6].ID, got[5].ID, got[4].ID}; !slices.Equal(recordedIDs(page), want) {
			t.Fatalf("read all backwards before event 7 holds %v, want events 6, 5, 4 %v", recordedIDs(page), want)
		}
		fromEnd, err := br.ReadAllBackwards(ctx, eventstore.LogEnd, 1)
		if err != nil || len(fromEnd) != 1 || fromEnd[0].Position.Less(last.Position) {
			t.Fatalf("read all backwards from the end: %v, %v; want an event at or after %s", fromEnd, err, last.Position)
		}
		if _, err := br.ReadAllBackwards(ctx, eventstore.LogEnd, 0); !errors.Is(err, eventstore.ErrInvalid) {
			t.Fatalf("read all backwards of 0 events: %v, want ErrInvalid", err)
		}
	})
	t.Run("head", func(t *testing.T) {
		head, err := s.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if head.Less(last.Position) {
			t.Fatalf("head %s is before the last append %s", head, last.Position)
		}
	})
}
