package esdb

import (
	"context"
	"errors"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

func TestToExpectedRevision(t *testing.T) {
	cases := []struct {
		name string
		in   eventstore.ExpectedRevision
		want esdb.ExpectedRevision
	}{
		{"any", eventstore.Any, esdb.Any{}},
		{"no stream", eventstore.NoStream, esdb.NoStream{}},
		{"stream exists", eventstore.StreamExists, esdb.StreamExists{}},
		{"exact zero", eventstore.Exact(0), esdb.Revision(0)},
		{"exact", eventstore.Exact(41), esdb.Revision(41)},
		{"zero value is any", eventstore.ExpectedRevision{}, esdb.Any{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := toExpectedRevision(tc.in); got != tc.want {
				t.Fatalf("toExpectedRevision(%s) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
}

func TestPositionMapping(t *testing.T) {
	cases := []struct {
		name  string
		esdb  esdb.Position
		port  eventstore.Position
		valid bool
	}{
		{"self-committed event", esdb.Position{Commit: 1234, Prepare: 1234}, eventstore.Position{Commit: 1234, Prepare: 1234}, true},
		{"event of a transaction", esdb.Position{Commit: 900, Prepare: 512}, eventstore.Position{Commit: 900, Prepare: 512}, true},
		{"append without a position", esdb.Position{}, eventstore.Position{}, false},
		{"unknown to the server", esdb.Position{Commit: math.MaxUint64, Prepare: math.MaxUint64}, eventstore.Position{Commit: math.MaxUint64, Prepare: math.MaxUint64}, false},
		{"unknown prepare", esdb.Position{Commit: 10, Prepare: math.MaxUint64}, eventstore.Position{Commit: 10, Prepare: math.MaxUint64}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := toPosition(tc.esdb); got != tc.port {
				t.Fatalf("toPosition(%+v) = %+v, want %+v", tc.esdb, got, tc.port)
			}
			if got := fromPosition(tc.port); got != tc.esdb {
				t.Fatalf("fromPosition(%+v) = %+v, want %+v", tc.port, got, tc.esdb)
			}
			if got := validPosition(tc.esdb); got != tc.valid {
				t.Fatalf("validPosition(%+v) = %v, want %v", tc.esdb, got, tc.valid)
			}
			want := tc.port
			if !tc.valid {
				want = eventstore.Position{}
			}
			if got := recordedPosition(tc.esdb); got != want {
				t.Fatalf("recordedPosition(%+v) = %+v, want %+v", tc.esdb, got, want)
			}
		})
	}

	t.Run("order is kept", func(t *testing.T) {
		a, b := esdb.Position{Commit: 100, Prepare: 90}, esdb.Position{Commit: 100, Prepare: 95}
		if !toPosition(a).Less(toPosition(b)) || toPosition(b).Less(toPosition(a)) {
			t.Fatal("positions with one commit position must order by prepare position")
		}
	})
	t.Run("subscription start", func(t *testing.T) {
		if got := allFrom(eventstore.Start); got != (esdb.Start{}) {
			t.Fatalf("allFrom(Start) = %#v, want esdb.Start{}", got)
		}
		p := eventstore.Position{Commit: 7, Prepare: 7}
		if got := allFrom(p); got != (esdb.Position{Commit: 7, Prepare: 7}) {
			t.Fatalf("allFrom(%s) = %#v, want that position", p, got)
		}
	})
}

func TestSubscriptionFilter(t *testing.T) {
	cases := []struct {
		name     string
		category string
		match    []string
		miss     []string
	}{
		{"every user stream", "", []string{"order-1", "order", "inventory-sku-1", "a"}, []string{"$stats-127.0.0.1:2113", "$$order-1", "$ce-order", "$all"}},
		{"a category", "order", []string{"order-1", "order", "order-7f3c-12", "order-"}, []string{"orders-1", "xorder-1", "order_1", "Order-1", "$$order-1", "inventory-order-1"}},
		{"a category with a dot", "a.b", []string{"a.b-1", "a.b"}, []string{"axb-1", "a.bc-1"}},
		{"a category with other allowed characters", "x_y:z@w", []string{"x_y:z@w-1"}, []string{"x_y:z@w1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := subscriptionFilter(tc.category)
			if f.Type != esdb.StreamFilterType || len(f.Prefixes) != 0 {
				t.Fatalf("filter %+v, want a stream-name regex only", f)
			}
			re := regexp.MustCompile(f.Regex)
			for _, s := range tc.match {
				if !re.MatchString(s) {
					t.Errorf("%q does not match stream %s", f.Regex, s)
				}
			}
			for _, s := range tc.miss {
				if re.MatchString(s) {
					t.Errorf("%q matches stream %s", f.Regex, s)
				}
			}
		})
	}
	if got, want := categoryRegex("order"), `^order(-|$)`; got != want {
		t.Fatalf("categoryRegex(order) = %q, want %q", got, want)
	}
}

func TestIsSystemEvent(t *testing.T) {
	cases := []struct {
		stream, typ string
		want        bool
	}{
		{"order-1", "order.placed", false},
		{"$stats-127.0.0.1:2113", "$statsCollected", true},
		{"$$order-1", "$metadata", true},
		{"order-1", "$streamDeleted", true},
		{"$scavenges", "scavengeStarted", true},
	}
	for _, tc := range cases {
		e := &esdb.RecordedEvent{StreamID: tc.stream, EventType: tc.typ}
		if got := isSystemEvent(e); got != tc.want {
			t.Errorf("isSystemEvent(%s in %s) = %v, want %v", tc.typ, tc.stream, got, tc.want)
		}
	}
}

func TestConflictFromError(t *testing.T) {
	stream := "order-1"
	cases := []struct {
		name string
		err  error
		want *eventstore.ConflictError
	}{
		{"not an error of the client", errors.New("boom"), nil},
		{"an error of the client with another code", &esdb.Error{}, nil},
		{"wrapped, with another code", errors.Join(errors.New("context"), &esdb.Error{}), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := conflictFromError(stream, eventstore.Exact(3), tc.err)
			if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
				t.Fatalf("conflictFromError(%v) = %+v, want %+v", tc.err, got, tc.want)
			}
		})
	}
	// Wrong-expected-version errors with the messages the client makes
	// come from a real client talking to the stand-in (esdbtest): see
	// TestWrongExpectedVersionFromTheClient.
}

func TestStreamError(t *testing.T) {
	unknown := &esdb.Error{}
	err := streamError(t.Context(), "read stream order-1", unknown)
	if !errors.Is(err, unknown) || errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("streamError(unknown) = %v, want it wrapped as it is", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := streamError(ctx, "read stream order-1", unknown); !errors.Is(err, ctx.Err()) {
		t.Fatalf("streamError after the context ended = %v, want the context's error", err)
	}
}

func TestPlanWrite(t *testing.T) {
	const stream = "order-1"
	missing := tail{}
	truncated := tail{truncated: true}
	atFive := tail{exists: true, last: 5, first: 0, events: make([]*esdb.RecordedEvent, 6)}
	deep := tail{exists: true, last: 100, first: 60, events: make([]*esdb.RecordedEvent, 41)}

	type want struct {
		wire      esdb.ExpectedRevision
		pinned    bool
		checkFrom int // -1: no check
		conflict  bool
		exists    bool
		actual    uint64
	}
	cases := []struct {
		name     string
		expected eventstore.ExpectedRevision
		tail     tail
		attempt  int
		want     want
	}{
		{"any on a missing stream is pinned to no stream", eventstore.Any, missing, 1, want{wire: esdb.NoStream{}, pinned: true, checkFrom: -1}},
		{"any on a stream is pinned to its revision", eventstore.Any, atFive, 1, want{wire: esdb.Revision(5), pinned: true, checkFrom: -1}},
		{"any unpinned after many attempts", eventstore.Any, atFive, maxPinnedAttempts, want{wire: esdb.Any{}, checkFrom: -1}},
		{"any on a truncated stream is not pinned", eventstore.Any, truncated, 1, want{wire: esdb.Any{}, checkFrom: -1}},
		{"stream exists on a stream is pinned", eventstore.StreamExists, atFive, 1, want{wire: esdb.Revision(5), pinned: true, checkFrom: -1}},
		{"stream exists on a missing stream conflicts", eventstore.StreamExists, missing, 1, want{conflict: true}},
		{"stream exists unpinned after many attempts", eventstore.StreamExists, atFive, maxPinnedAttempts, want{wire: esdb.StreamExists{}, checkFrom: -1}},
		{"no stream on a missing stream", eventstore.NoStream, missing, 1, want{wire: esdb.NoStream{}, checkFrom: 0}},
		{"no stream on a stream conflicts", eventstore.NoStream, atFive, 1, want{conflict: true, exists: true, actual: 5}},
		{"no stream on a stream whose start is below the window goes to the server", eventstore.NoStream, deep, 1, want{wire: esdb.NoStream{}, checkFrom: 0}},
		{"exact at the end", eventstore.Exact(5), atFive, 1, want{wire: esdb.Revision(5), checkFrom: 6}},
		{"exact behind, inside the window, conflicts", eventstore.Exact(3), atFive, 1, want{conflict: true, exists: true, actual: 5}},
		{"exact ahead conflicts", eventstore.Exact(9), atFive, 1, want{conflict: true, exists: true, actual: 5}},
		{"exact on a missing stream conflicts", eventstore.Exact(0), missing, 1, want{conflict: true}},
		{"exact below the window goes to the server", eventstore.Exact(10), deep, 1, want{wire: esdb.Revision(10), checkFrom: 11}},
		{"exact just below the window's first event conflicts", eventstore.Exact(59), deep, 1, want{conflict: true, exists: true, actual: 100}},
		{"exact at the highest revision conflicts", eventstore.Exact(math.MaxUint64), atFive, 1, want{conflict: true, exists: true, actual: 5}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan, conflict := planWrite(stream, tc.expected, tc.tail, tc.attempt)
			if tc.want.conflict {
				if conflict == nil {
					t.Fatalf("plan %+v, want a conflict", plan)
				}
				w := eventstore.ConflictError{Stream: stream, Expected: tc.expected, ActualKnown: true, Exists: tc.want.exists, Actual: tc.want.actual}
				if *conflict != w {
					t.Fatalf("conflict %+v, want %+v", *conflict, w)
				}
				return
			}
			if conflict != nil {
				t.Fatalf("conflict %v, want a plan", conflict)
			}
			checkFrom := -1
			if plan.check {
				checkFrom = int(plan.checkFrom)
			}
			if plan.wire != tc.want.wire || plan.pinned != tc.want.pinned || checkFrom != tc.want.checkFrom {
				t.Fatalf("plan {wire %#v pinned %v check from %d}, want {wire %#v pinned %v check from %d}",
					plan.wire, plan.pinned, checkFrom, tc.want.wire, tc.want.pinned, tc.want.checkFrom)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	ids := make([]uuid.UUID, 8)
	for i := range ids {
		ids[i] = uuid.New()
	}
	batch := func(is ...int) []eventstore.EncodedEvent {
		out := make([]eventstore.EncodedEvent, len(is))
		for i, n := range is {
			out[i] = eventstore.EncodedEvent{EventData: eventstore.EventData{ID: ids[n]}}
		}
		return out
	}
	// stored returns the events holding ids is at revisions first, first+1...
	stored := func(first uint64, is ...int) []*esdb.RecordedEvent {
		out := make([]*esdb.RecordedEvent, len(is))
		for i, n := range is {
			out[i] = &esdb.RecordedEvent{EventID: ids[n], EventNumber: first + uint64(i)}
		}
		return out
	}
	cases := []struct {
		name   string
		batch  []eventstore.EncodedEvent
		events []*esdb.RecordedEvent
		first  uint64
		more   bool
		want   overlapKind
		last   uint64 // revision of the stored last event (overlapAll)
		start  uint64 // overlapBelow
	}{
		{"empty stream", batch(0, 1), nil, 0, false, overlapNone, 0, 0},
		{"nothing stored", batch(5, 6), stored(0, 0, 1, 2), 0, false, overlapNone, 0, 0},
		{"all stored at the end", batch(1, 2), stored(0, 0, 1, 2), 0, false, overlapAll, 2, 0},
		{"all stored, events after them", batch(0, 1), stored(0, 0, 1, 2, 3), 0, false, overlapAll, 1, 0},
		{"a single event stored", batch(3), stored(10, 2, 3, 4), 10, true, overlapAll, 11, 0},
		{"the tail of the batch stored", batch(1, 2, 5), stored(0, 0, 1, 2), 0, false, overlapSome, 0, 0},
		{"the head of the batch stored", batch(5, 0), stored(0, 0, 1, 2), 0, false, overlapSome, 0, 0},
		{"all stored in another order", batch(2, 1), stored(0, 0, 1, 2), 0, false, overlapSome, 0, 0},
		{"all stored with a gap", batch(0, 2), stored(0, 0, 1, 2), 0, false, overlapSome, 0, 0},
		{"cut by the window", batch(0, 1, 2), stored(8, 1, 2, 3), 8, true, overlapBelow, 0, 7},
		{"cut by the window at the start of the stream", batch(0, 1, 2), stored(0, 1, 2, 3), 0, false, overlapSome, 0, 0},
		{"first of the batch at the window's start", batch(1, 7), stored(8, 1, 2, 3), 8, true, overlapSome, 0, 0},
		{"found above the window's start", batch(0, 2), stored(8, 1, 2, 3), 8, true, overlapSome, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := compare(tc.batch, tc.events, tc.first, tc.more)
			if got.kind != tc.want {
				t.Fatalf("compare = kind %d, want %d", got.kind, tc.want)
			}
			if got.kind == overlapAll && got.last.EventNumber != tc.last {
				t.Fatalf("the batch's last event is stored at %d, want %d", got.last.EventNumber, tc.last)
			}
			if got.kind == overlapBelow && got.start != tc.start {
				t.Fatalf("the batch would start at %d, want %d", got.start, tc.start)
			}
		})
	}
}

func TestReadPlan(t *testing.T) {
	cases := []struct {
		name  string
		opts  eventstore.ReadOptions
		want  esdb.ReadStreamOptions
		count uint64
	}{
		{"forwards from the start", eventstore.ReadOptions{Count: 10}, esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.Revision(0)}, 10},
		{"forwards from a revision", eventstore.ReadOptions{From: 4, Count: 2}, esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.Revision(4)}, 2},
		{"forwards from the end is the last event", eventstore.ReadOptions{From: eventstore.End, Count: 5}, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1},
		{"backwards from the end", eventstore.ReadOptions{Direction: eventstore.Backwards, From: eventstore.End, Count: 3}, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 3},
		{"backwards from a revision", eventstore.ReadOptions{Direction: eventstore.Backwards, From: 4, Count: 3}, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.Revision(4)}, 3},
		{"beyond what the server counts", eventstore.ReadOptions{From: math.MaxInt64 + 1, Count: 3}, esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.End{}}, 3},
		{"a huge count", eventstore.ReadOptions{Count: math.MaxInt}, esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.Revision(0)}, math.MaxInt32},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, count, err := readPlan(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || count != tc.count {
				t.Fatalf("readPlan(%+v) = %+v count %d, want %+v count %d", tc.opts, got, count, tc.want, tc.count)
			}
		})
	}
	if _, _, err := readPlan(eventstore.ReadOptions{Direction: 7, Count: 1}); !errors.Is(err, eventstore.ErrInvalid) {
		t.Fatalf("unknown direction: %v, want ErrInvalid", err)
	}
}

func TestJitter(t *testing.T) {
	for _, d := range []time.Duration{0, 1, 2, time.Millisecond, 5 * time.Second} {
		for range 100 {
			got := jitter(d)
			if d > 1 && (got < d/2 || got >= d) || d <= 1 && got != d {
				t.Fatalf("jitter(%s) = %s, want it in [%s, %s)", d, got, d/2, d)
			}
		}
	}
}

func TestCall(t *testing.T) {
	t.Run("returns what the call returns", func(t *testing.T) {
		boom := errors.New("boom")
		v, err := call(t.Context(), func() (int, error) { return 7, boom })
		if v != 7 || err != boom {
			t.Fatalf("call = %d, %v; want 7, boom", v, err)
		}
	})
	t.Run("does not wait for a stuck call past its context", func(t *testing.T) {
		stuck := make(chan struct{})
		defer close(stuck)
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		_, err := call(ctx, func() (int, error) { <-stuck; return 1, nil })
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("call = %v, want the context's error", err)
		}
	})
	t.Run("survives the client's send on its closed channel", func(t *testing.T) {
		_, err := call(t.Context(), func() (int, error) {
			ch := make(chan int)
			close(ch)
			ch <- 1 // what a call stuck in the client's error path does when the client closes
			return 1, nil
		})
		if err == nil || !strings.Contains(err.Error(), "closed") {
			t.Fatalf("call = %v, want an error", err)
		}
	})
}
