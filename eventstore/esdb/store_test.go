package esdb

import (
	"context"
	"errors"
	"fmt"
	"github.com/orderflow/orderflow/eventstore/esdb/esdbtest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

// These tests drive the adapter and the real client against the stand-in (esdbtest).
// They check the adapter's own logic — dedup, error mapping, supervision —
// not EventStoreDB's behaviour: contract_test.go does that when a server
// is at hand.

func event(n int) eventstore.EventData {
	return eventstore.EventData{ID: uuid.New(), Type: "e", Data: fmt.Appendf(nil, `{"n":%d}`, n)}
}

func events(first, count int) []eventstore.EventData {
	out := make([]eventstore.EventData, count)
	for i := range out {
		out[i] = event(first + i)
	}
	return out
}

func ids[E eventstore.EventData | eventstore.RecordedEvent](events []E) []uuid.UUID {
	out := make([]uuid.UUID, len(events))
	for i, e := range events {
		switch e := any(e).(type) {
		case eventstore.EventData:
			out[i] = e.ID
		case eventstore.RecordedEvent:
			out[i] = e.ID
		}
	}
	return out
}

func mustAppend(t *testing.T, s *Store, stream string, expected eventstore.ExpectedRevision, evs ...eventstore.EventData) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(t.Context(), stream, expected, evs...)
	if err != nil {
		t.Fatalf("append to %s (expected %s): %v", stream, expected, err)
	}
	return res
}

func readAll(t *testing.T, s *Store, stream string) []eventstore.RecordedEvent {
	t.Helper()
	got, err := s.ReadStream(t.Context(), stream, eventstore.ReadOptions{Count: 1000})
	if err != nil {
		t.Fatalf("read %s: %v", stream, err)
	}
	return got
}

func TestWrongExpectedVersionFromTheClient(t *testing.T) {
	f := esdbtest.Start(t)
	conf, err := esdb.ParseConnectionString(f.URL())
	if err != nil {
		t.Fatal(err)
	}
	conf.Logger = esdb.NoopLogging()
	c, err := esdb.NewClient(conf)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := t.Context()
	write := func(expected esdb.ExpectedRevision) error {
		_, err := c.AppendToStream(ctx, "order-1", esdb.AppendToStreamOptions{ExpectedRevision: expected},
			esdb.EventData{EventID: uuid.New(), EventType: "e", ContentType: esdb.ContentTypeJson, Data: []byte(`{}`)})
		return err
	}

	cases := []struct {
		name     string
		setup    int // events in the stream before
		wire     esdb.ExpectedRevision
		expected eventstore.ExpectedRevision
		want     eventstore.ConflictError
	}{
		{"on a missing stream", 0, esdb.Revision(3), eventstore.Exact(3),
			eventstore.ConflictError{Stream: "order-1", Expected: eventstore.Exact(3), ActualKnown: true}},
		{"on a stream", 3, esdb.NoStream{}, eventstore.NoStream,
			eventstore.ConflictError{Stream: "order-1", Expected: eventstore.NoStream, ActualKnown: true, Exists: true, Actual: 2}},
		{"behind", 0, esdb.Revision(0), eventstore.Exact(0),
			eventstore.ConflictError{Stream: "order-1", Expected: eventstore.Exact(0), ActualKnown: true, Exists: true, Actual: 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for range tc.setup {
				if err := write(esdb.Any{}); err != nil {
					t.Fatal(err)
				}
			}
			err := write(tc.wire)
			if !isCode(err, esdb.ErrorCodeWrongExpectedVersion) {
				t.Fatalf("append: %v, want a wrong expected version", err)
			}
			got := conflictFromError("order-1", tc.expected, fmt.Errorf("wrapped: %w", err))
			if got == nil || *got != tc.want {
				t.Fatalf("conflictFromError(%v) = %+v, want %+v", err, got, tc.want)
			}
			if !errors.Is(got, eventstore.ErrWrongExpectedRevision) {
				t.Fatal("the conflict does not match ErrWrongExpectedRevision")
			}
		})
	}

	t.Run("stream not found on the first receive", func(t *testing.T) {
		rs, err := c.ReadStream(ctx, "nothing-here", esdb.ReadStreamOptions{}, 10)
		if err != nil {
			t.Fatalf("read stream: %v (the client reports a missing stream later)", err)
		}
		_, err = drain(rs)
		if !isNotFound(err) {
			t.Fatalf("first receive: %v, want resource not found", err)
		}
		mapped := streamError(ctx, "read stream nothing-here", err)
		if !errors.Is(mapped, eventstore.ErrStreamNotFound) || !strings.Contains(mapped.Error(), "nothing-here") {
			t.Fatalf("mapped to %v, want ErrStreamNotFound naming the stream", mapped)
		}
	})
	t.Run("a closed client", func(t *testing.T) {
		closed, err := esdb.NewClient(conf)
		if err != nil {
			t.Fatal(err)
		}
		closed.Close()
		_, err = closed.ReadStream(ctx, "order-1", esdb.ReadStreamOptions{}, 1)
		if !isCode(err, esdb.ErrorCodeConnectionClosed) {
			t.Fatalf("call on a closed client: %v, want connection closed", err)
		}
		if conflictFromError("order-1", eventstore.Any, err) != nil || isFatal(err) {
			t.Fatal("a closed client is neither a conflict nor fatal to a subscription")
		}
	})
}

func TestAppendAndRead(t *testing.T) {
	f := esdbtest.Start(t)
	s := newStandInStore(t, f)
	ctx := t.Context()

	batch := events(0, 10)
	first := mustAppend(t, s, "order-1", eventstore.NoStream, batch...)
	if first.Revision != 9 || first.Position.IsZero() {
		t.Fatalf("append: %+v", first)
	}
	got := readAll(t, s, "order-1")
	if !slices.Equal(ids(got), ids(batch)) || got[9].Position != first.Position {
		t.Fatalf("read back %v at %s, want %v at %s", ids(got), got[9].Position, ids(batch), first.Position)
	}
	if got[0].Metadata != (eventstore.Metadata{}) || got[0].Recorded.IsZero() || string(got[0].Data) != `{"n":0}` {
		t.Fatalf("read back %+v", got[0])
	}

	all, rev := ids(batch), slices.Clone(ids(batch))
	slices.Reverse(rev)
	reads := []struct {
		name string
		opts eventstore.ReadOptions
		want []uuid.UUID
	}{
		{"forwards with a count", eventstore.ReadOptions{From: 2, Count: 3}, all[2:5]},
		{"forwards past the end", eventstore.ReadOptions{From: 10, Count: 5}, nil},
		{"forwards from the end", eventstore.ReadOptions{From: eventstore.End, Count: 5}, all[9:]},
		{"backwards from the end", eventstore.ReadOptions{Direction: eventstore.Backwards, From: eventstore.End, Count: 3}, rev[:3]},
		{"backwards from a revision", eventstore.ReadOptions{Direction: eventstore.Backwards, From: 4, Count: 100}, rev[5:]},
		{"backwards from beyond the end", eventstore.ReadOptions{Direction: eventstore.Backwards, From: 50, Count: 2}, rev[:2]},
		{"backwards from just beyond the end", eventstore.ReadOptions{Direction: eventstore.Backwards, From: 10, Count: 3}, rev[:3]},
		{"backwards from far beyond", eventstore.ReadOptions{Direction: eventstore.Backwards, From: eventstore.End - 1, Count: 1}, rev[:1]},
	}
	for _, tc := range reads {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ReadStream(ctx, "order-1", tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), tc.want) {
				t.Fatalf("read %+v: got %v, want %v", tc.opts, ids(got), tc.want)
			}
		})
	}
	for _, dir := range []eventstore.Direction{eventstore.Forwards, eventstore.Backwards} {
		if _, err := s.ReadStream(ctx, "order-none", eventstore.ReadOptions{Direction: dir, From: eventstore.End, Count: 1}); !errors.Is(err, eventstore.ErrStreamNotFound) {
			t.Fatalf("read a missing stream in direction %d: %v, want ErrStreamNotFound", dir, err)
		}
	}

	conflicts := []struct {
		name     string
		stream   string
		expected eventstore.ExpectedRevision
		exists   bool
		actual   uint64
	}{
		{"no stream on a stream", "order-1", eventstore.NoStream, true, 9},
		{"exact behind", "order-1", eventstore.Exact(3), true, 9},
		{"exact ahead", "order-1", eventstore.Exact(12), true, 9},
		{"stream exists on a missing stream", "order-2", eventstore.StreamExists, false, 0},
		{"exact on a missing stream", "order-2", eventstore.Exact(0), false, 0},
	}
	for _, tc := range conflicts {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Append(ctx, tc.stream, tc.expected, event(99))
			var c *eventstore.ConflictError
			if !errors.As(err, &c) || !c.ActualKnown || c.Exists != tc.exists || c.Actual != tc.actual || c.Expected != tc.expected {
				t.Fatalf("got %v, want a conflict with exists=%v actual=%d", err, tc.exists, tc.actual)
			}
		})
	}

	next := mustAppend(t, s, "order-1", eventstore.Exact(9), event(10))
	exists := mustAppend(t, s, "order-1", eventstore.StreamExists, event(11))
	anyOld := mustAppend(t, s, "order-1", eventstore.Any, event(12))
	anyNew := mustAppend(t, s, "order-2", eventstore.Any, event(0))
	if next.Revision != 10 || exists.Revision != 11 || anyOld.Revision != 12 || anyNew.Revision != 0 {
		t.Fatalf("revisions %d %d %d %d, want 10 11 12 0", next.Revision, exists.Revision, anyOld.Revision, anyNew.Revision)
	}
	if !first.Position.Less(next.Position) || !next.Position.Less(exists.Position) {
		t.Fatal("positions do not increase")
	}

	if _, err := s.Append(ctx, "$order", eventstore.Any, event(0)); !errors.Is(err, eventstore.ErrInvalid) {
		t.Fatalf("append to a system stream: %v, want ErrInvalid", err)
	}
	if _, err := s.ReadStream(ctx, "order-1", eventstore.ReadOptions{}); !errors.Is(err, eventstore.ErrInvalid) {
		t.Fatalf("read zero events: %v, want ErrInvalid", err)
	}
}

func TestIdempotency(t *testing.T) {
	cases := []struct {
		name     string
		expected eventstore.ExpectedRevision
		prefill  int
	}{
		{"no stream", eventstore.NoStream, 0},
		{"exact", eventstore.Exact(1), 2},
		{"any", eventstore.Any, 2},
		{"stream exists", eventstore.StreamExists, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := esdbtest.Start(t)
			s := newStandInStore(t, f)
			if tc.prefill > 0 {
				mustAppend(t, s, "order-1", eventstore.NoStream, events(100, tc.prefill)...)
			}
			batch := events(0, 3)
			want := mustAppend(t, s, "order-1", tc.expected, batch...)
			sent, _ := f.Counts()
			for retry := range 3 {
				got, err := s.Append(t.Context(), "order-1", tc.expected, batch...)
				if err != nil || got != want {
					t.Fatalf("retry %d: %+v, %v; want the original %+v", retry, got, err, want)
				}
			}
			// Later events do not hide the batch, and another expectation
			// does not matter.
			mustAppend(t, s, "order-1", eventstore.Any, events(50, 4)...)
			for _, expected := range []eventstore.ExpectedRevision{eventstore.Any, eventstore.NoStream, eventstore.Exact(77), tc.expected} {
				if got, err := s.Append(t.Context(), "order-1", expected, batch...); err != nil || got != want {
					t.Fatalf("retry expecting %s after more events: %+v, %v; want %+v", expected, got, err, want)
				}
			}
			if n := len(readAll(t, s, "order-1")); n != tc.prefill+7 {
				t.Fatalf("stream holds %d events, want %d", n, tc.prefill+7)
			}
			if appends, _ := f.Counts(); appends != sent+1 {
				t.Fatalf("%d appends reached the server, want %d: retries must be answered from the stream", appends, sent+1)
			}
		})
	}

	t.Run("deep retry with the original expectation", func(t *testing.T) {
		for _, noPosition := range []bool{false, true} {
			t.Run(fmt.Sprintf("server sends a position: %v", !noPosition), func(t *testing.T) {
				f := esdbtest.Start(t)
				f.OmitIdempotentPosition(noPosition)
				s := newStandInStore(t, f)
				s.window = 1
				mustAppend(t, s, "order-1", eventstore.NoStream, events(0, 2)...)
				batch := events(2, 3)
				want := mustAppend(t, s, "order-1", eventstore.Exact(1), batch...)
				mustAppend(t, s, "order-1", eventstore.Any, events(10, 8)...)
				for _, expected := range []eventstore.ExpectedRevision{eventstore.Exact(1)} {
					got, err := s.Append(t.Context(), "order-1", expected, batch...)
					if err != nil || got != want {
						t.Fatalf("deep retry: %+v, %v; want %+v", got, err, want)
					}
				}
				first := events(0, 1)
				res := mustAppend(t, s, "order-2", eventstore.NoStream, first...)
				mustAppend(t, s, "order-2", eventstore.Any, events(1, 8)...)
				if got, err := s.Append(t.Context(), "order-2", eventstore.NoStream, first...); err != nil || got != res {
					t.Fatalf("deep no-stream retry: %+v, %v; want %+v", got, err, res)
				}
				if n := len(readAll(t, s, "order-1")); n != 13 {
					t.Fatalf("stream holds %d events, want 13", n)
				}
			})
		}
	})

	t.Run("a batch cut by the window", func(t *testing.T) {
		f := esdbtest.Start(t)
		s := newStandInStore(t, f)
		s.window = 1
		batch := events(0, 6)
		want := mustAppend(t, s, "order-1", eventstore.NoStream, batch...)
		mustAppend(t, s, "order-1", eventstore.Any, events(6, 3)...)
		// The window (6+1 events from the end) holds only the batch's
		// last four events.
		if got, err := s.Append(t.Context(), "order-1", eventstore.Any, batch...); err != nil || got != want {
			t.Fatalf("retry: %+v, %v; want %+v", got, err, want)
		}
	})
}

func TestPartialOverlap(t *testing.T) {
	cases := []struct {
		name     string
		window   int
		stored   int // events appended first, then batch is made of them and new ones
		later    int // events appended after them
		pick     []int
		expected eventstore.ExpectedRevision
	}{
		{"tail of a batch, exact", 0, 3, 0, []int{1, 2, -1}, eventstore.Exact(0)},
		// The server itself would write this batch again: its first id is
		// new, and with Any it only looks ids up in its cache.
		{"new first, then a stored one, any", 0, 3, 0, []int{-1, 0}, eventstore.Any},
		{"stored ones out of order", 0, 3, 0, []int{2, 1}, eventstore.Any},
		{"stored with a gap", 0, 3, 0, []int{0, 2}, eventstore.StreamExists},
		{"head of a batch, no stream", 0, 3, 0, []int{0, -1}, eventstore.NoStream},
		{"below the window, no stream", 1, 2, 6, []int{0, -1}, eventstore.NoStream},
		{"below the window, exact", 1, 3, 6, []int{1, -1}, eventstore.Exact(0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := esdbtest.Start(t)
			s := newStandInStore(t, f)
			if tc.window > 0 {
				s.window = tc.window
			}
			stored := events(0, tc.stored)
			mustAppend(t, s, "order-1", eventstore.NoStream, stored...)
			if tc.later > 0 {
				mustAppend(t, s, "order-1", eventstore.Any, events(100, tc.later)...)
			}
			before := readAll(t, s, "order-1")
			var batch []eventstore.EventData
			for _, i := range tc.pick {
				if i < 0 {
					batch = append(batch, event(50))
				} else {
					batch = append(batch, stored[i])
				}
			}
			_, err := s.Append(t.Context(), "order-1", tc.expected, batch...)
			if !errors.Is(err, eventstore.ErrPartialOverlap) {
				t.Fatalf("got %v, want ErrPartialOverlap", err)
			}
			if after := readAll(t, s, "order-1"); !slices.Equal(ids(after), ids(before)) {
				t.Fatal("a partially overlapping batch was written")
			}
		})
	}
}

func TestGlobalLog(t *testing.T) {
	f := esdbtest.Start(t)
	s := newStandInStore(t, f)
	ctx := t.Context()
	if head, err := s.Head(ctx); err != nil || !head.IsZero() {
		t.Fatalf("head of a log of system events: %s, %v; want the zero position", head, err)
	}
	var want []uuid.UUID
	var last eventstore.AppendResult
	for i := range 6 {
		batch := events(i*2, 2)
		last = mustAppend(t, s, fmt.Sprintf("order-%d", i%2), eventstore.Any, batch...)
		want = append(want, ids(batch)...)
		f.Write("$stats-x", "$statsCollected", []byte(`{}`))
		f.Write("order-9", "$streamDeleted", []byte(`{}`))
	}
	got, err := s.ReadAll(ctx, eventstore.Start, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got), want) {
		t.Fatalf("read all: %d events, want the %d user events in order", len(got), len(want))
	}
	if got[len(got)-1].Position != last.Position {
		t.Fatal("the last event's position differs from its append's")
	}
	for _, count := range []int{1, 2, 3, 5} {
		page, err := s.ReadAll(ctx, got[4].Position, count)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(page), want[5:5+count]) {
			t.Fatalf("read %d after event 4: %v, want %v", count, ids(page), want[5:5+count])
		}
	}
	if page, err := s.ReadAll(ctx, got[len(got)-1].Position, 10); err != nil || len(page) != 0 {
		t.Fatalf("read after the last event: %d events, %v", len(page), err)
	}
	head, err := s.Head(ctx)
	if err != nil || head != last.Position {
		t.Fatalf("head %s, %v; want %s (system events after it do not count)", head, err, last.Position)
	}
	if _, err := s.ReadAll(ctx, eventstore.Start, 0); !errors.Is(err, eventstore.ErrInvalid) {
		t.Fatalf("read all of zero: %v, want ErrInvalid", err)
	}
}

func TestGlobalLogBackwards(t *testing.T) {
	f := esdbtest.Start(t)
	s := newStandInStore(t, f)
	ctx := t.Context()
	var want []uuid.UUID
	for i := range 6 {
		batch := events(i*2, 2)
		mustAppend(t, s, fmt.Sprintf("order-%d", i%2), eventstore.Any, batch...)
		want = append(want, ids(batch)...)
		f.Write("$stats-x", "$statsCollected", []byte(`{}`))
		f.Write("order-9", "$streamDeleted", []byte(`{}`))
	}
	slices.Reverse(want) // newest first
	got, err := s.ReadAllBackwards(ctx, eventstore.LogEnd, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got), want) {
		t.Fatalf("read all backwards: %d events, want the %d user events newest first", len(got), len(want))
	}
	// Pages of every size, each before the one after it: system events
	// between them make the adapter read on.
	for _, count := range []int{1, 2, 3, 5} {
		page, err := s.ReadAllBackwards(ctx, got[4].Position, count)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(page), want[5:5+count]) {
			t.Fatalf("read %d before event 4: %v, want %v", count, ids(page), want[5:5+count])
		}
	}
	if page, err := s.ReadAllBackwards(ctx, got[len(got)-1].Position, 10); err != nil || len(page) != 0 {
		t.Fatalf("read before the first event: %d events, %v", len(page), err)
	}
	if _, err := s.ReadAllBackwards(ctx, eventstore.LogEnd, 0); !errors.Is(err, eventstore.ErrInvalid) {
		t.Fatalf("read all backwards of zero: %v, want ErrInvalid", err)
	}
}

// collect reads from sub until it has n events.
func collect(t *testing.T, sub eventstore.Subscription, n int) []eventstore.RecordedEvent {
	t.Helper()
	var got []eventstore.RecordedEvent
	for len(got) < n {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		batch, err := sub.Next(ctx)
		cancel()
		if err != nil {
			t.Fatalf("next after %d of %d events: %v", len(got), n, err)
		}
		got = append(got, batch...)
	}
	return got
}

func TestSubscribe(t *testing.T) {
	f := esdbtest.Start(t)
	s := newStandInStore(t, f)
	ctx := t.Context()
	var want []uuid.UUID
	for i := range 20 {
		batch := events(i, 1+i%3)
		mustAppend(t, s, fmt.Sprintf("order-%d", i%3), eventstore.Any, batch...)
		mustAppend(t, s, "orders-1", eventstore.Any, event(i))
		want = append(want, ids(batch)...)
	}

	t.Run("catch up then live", func(t *testing.T) {
		sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: "order", BatchSize: 4})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		got := collect(t, sub, len(want))
		live := events(100, 3)
		for _, e := range live {
			mustAppend(t, s, "order-live", eventstore.Any, e)
		}
		got = append(got, collect(t, sub, 3)...)
		if !slices.Equal(ids(got), append(slices.Clone(want), ids(live)...)) {
			t.Fatal("subscription delivered events out of order, twice or from elsewhere")
		}
		want = append(want, ids(live)...)
	})
	t.Run("batch size is a cap", func(t *testing.T) {
		sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: "order", BatchSize: 3})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		time.Sleep(50 * time.Millisecond) // let events queue up
		if batch, err := sub.Next(ctx); err != nil || len(batch) < 1 || len(batch) > 3 {
			t.Fatalf("batch of %d events, %v; want 1 to 3", len(batch), err)
		}
	})
	t.Run("from a checkpoint is exclusive", func(t *testing.T) {
		all, err := s.ReadAll(ctx, eventstore.Start, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var orders []eventstore.RecordedEvent
		for _, e := range all {
			if e.Category() == "order" {
				orders = append(orders, e)
			}
		}
		sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: "order", From: orders[9].Position})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		if got := collect(t, sub, len(orders)-10); !slices.Equal(ids(got), ids(orders[10:])) {
			t.Fatal("resumed subscription does not start right after its checkpoint")
		}
	})
	t.Run("every user stream", func(t *testing.T) {
		sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		got := collect(t, sub, len(want)+20)
		for _, e := range got {
			if strings.HasPrefix(e.Stream, "$") || strings.HasPrefix(e.Type, "$") {
				t.Fatalf("delivered the system event %s in %s", e.Type, e.Stream)
			}
		}
	})
	t.Run("close ends it", func(t *testing.T) {
		sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: "none"})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { _, err := sub.Next(ctx); done <- err }()
		time.Sleep(20 * time.Millisecond)
		_ = sub.Close()
		_ = sub.Close()
		if err := <-done; !errors.Is(err, eventstore.ErrSubscriptionClosed) {
			t.Fatalf("next after close: %v", err)
		}
		if _, err := sub.Next(ctx); !errors.Is(err, eventstore.ErrSubscriptionClosed) {
			t.Fatalf("next once closed: %v", err)
		}
	})
	t.Run("its context ends it", func(t *testing.T) {
		life, cancel := context.WithCancel(ctx)
		sub, err := s.Subscribe(life, eventstore.SubscribeOptions{Category: "order"})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		cancel()
		if _, err := sub.Next(ctx); !errors.Is(err, eventstore.ErrSubscriptionClosed) {
			t.Fatalf("next after its context ended: %v", err)
		}
	})
	t.Run("next's context bounds the wait", func(t *testing.T) {
		sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: "none"})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		wait, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if _, err := sub.Next(wait); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("next on an idle subscription: %v", err)
		}
	})
	t.Run("bad options", func(t *testing.T) {
		if _, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: "a-b"}); !errors.Is(err, eventstore.ErrInvalid) {
			t.Fatalf("category a-b: %v", err)
		}
		if _, err := s.Subscribe(ctx, eventstore.SubscribeOptions{BatchSize: -1}); !errors.Is(err, eventstore.ErrInvalid) {
			t.Fatalf("negative batch size: %v", err)
		}
	})
}

func TestSubscriptionSurvivesDrops(t *testing.T) {
	f := esdbtest.Start(t)
	s := newStandInStore(t, f)
	sub, err := s.Subscribe(t.Context(), eventstore.SubscribeOptions{Category: "order", BatchSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	const total = 300
	var want []uuid.UUID
	written := make(chan struct{})
	go func() {
		defer close(written)
		for i := range total {
			e := event(i)
			want = append(want, e.ID)
			if _, err := s.Append(context.Background(), fmt.Sprintf("order-%d", i%5), eventstore.Any, e); err != nil {
				t.Errorf("append %d: %v", i, err)
				return
			}
			if i%25 == 0 {
				f.EndSubscriptions(esdbtest.Unavailable)
			}
		}
	}()
	got := collect(t, sub, total)
	<-written
	if !slices.Equal(ids(got), want) {
		t.Fatal("events were lost, repeated or reordered across resubscriptions")
	}
	if _, subscribes := f.Counts(); subscribes < 5 {
		t.Fatalf("%d subscriptions reached the server, want one per drop", subscribes)
	}
}

func TestClientRebuiltAfterOutage(t *testing.T) {
	f := esdbtest.Start(t)
	s := newStandInStore(t, f)
	sub, err := s.Subscribe(t.Context(), eventstore.SubscribeOptions{Category: "order"})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	before := events(0, 5)
	mustAppend(t, s, "order-1", eventstore.NoStream, before...)
	got := collect(t, sub, 5)

	s.mu.Lock()
	old := s.client
	s.mu.Unlock()
	f.Stop()
	// The subscription drops, resubscribes, the client's discovery fails
	// and the client closes itself; the supervisor replaces it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		renewed := s.client != old
		s.mu.Unlock()
		if renewed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the client was not rebuilt while the server was down")
		}
		time.Sleep(20 * time.Millisecond)
	}
	f.Restart(t)

	after := events(5, 5)
	mustAppend(t, s, "order-1", eventstore.Exact(4), after...)
	got = append(got, collect(t, sub, 5)...)
	if !slices.Equal(ids(got), append(ids(before), ids(after)...)) {
		t.Fatal("events were lost or repeated across the outage")
	}
}

func TestNew(t *testing.T) {
	t.Run("malformed connection string", func(t *testing.T) {
		_, err := New(t.Context(), Config{URL: "esdb://admin:s3cret@local host:2113"})
		if !errors.Is(err, eventstore.ErrInvalid) || strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("got %v, want ErrInvalid without the password", err)
		}
		if _, err := New(t.Context(), Config{}); !errors.Is(err, eventstore.ErrInvalid) {
			t.Fatalf("empty connection string: %v", err)
		}
	})
	t.Run("no server", func(t *testing.T) {
		f := esdbtest.Start(t)
		f.Stop()
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		if s, err := New(ctx, Config{URL: f.URL()}); err == nil {
			_ = s.Close()
			t.Fatal("connected to a stopped server")
		}
	})
	t.Run("closed store", func(t *testing.T) {
		f := esdbtest.Start(t)
		s := newStandInStore(t, f)
		sub, err := s.Subscribe(t.Context(), eventstore.SubscribeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := sub.Next(t.Context()); !errors.Is(err, eventstore.ErrSubscriptionClosed) {
			t.Fatalf("next after the store closed: %v", err)
		}
		if _, err := s.Append(t.Context(), "order-1", eventstore.Any, event(0)); !errors.Is(err, ErrClosed) {
			t.Fatalf("append after close: %v", err)
		}
		if _, err := s.Subscribe(t.Context(), eventstore.SubscribeOptions{}); !errors.Is(err, ErrClosed) {
			t.Fatalf("subscribe after close: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("second close: %v", err)
		}
	})
}
