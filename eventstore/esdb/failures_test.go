package esdb

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/esdb/esdbtest"
	"github.com/orderflow/orderflow/platform/problem"
)

// The server's ordinary refusals reach callers as the port's errors: a
// batch over the maximum append size as ErrTooLarge, a server that cannot
// serve now or an append past the client's deadline as ErrUnavailable
// (which problem.Transient recognises: 503 with Retry-After at the edge).
func TestServerRefusals(t *testing.T) {
	big := func(n int) eventstore.EventData {
		e := event(n)
		e.Data = []byte(`{"pad":"` + strings.Repeat("x", 600) + `"}`)
		return e
	}

	t.Run("maximum append size", func(t *testing.T) {
		f := esdbtest.Start(t)
		f.SetMaxAppendSize(1000)
		s := newStandInStore(t, f)
		_, err := s.Append(t.Context(), "order-1", eventstore.NoStream, big(0), big(1))
		if !errors.Is(err, eventstore.ErrTooLarge) || problem.Transient(err) {
			t.Fatalf("append over the limit: %v, want ErrTooLarge and not transient", err)
		}
		if _, err := s.ReadStream(t.Context(), "order-1", eventstore.ReadOptions{Count: 10}); !errors.Is(err, eventstore.ErrStreamNotFound) {
			t.Fatalf("after the refused append: %v, want the stream missing", err)
		}
		mustAppend(t, s, "order-1", eventstore.NoStream, big(0))
		mustAppend(t, s, "order-1", eventstore.Exact(0), big(1))

		// The refusal named the server's limit: a larger batch is refused
		// from now on without being sent, so the answer cannot be lost to
		// the race between the server's refusal and the client's sends.
		sent, _ := f.Counts()
		batch := []eventstore.EventData{big(2), big(3), big(4), big(5)}
		if _, err := s.Append(t.Context(), "order-1", eventstore.Exact(1), batch...); !errors.Is(err, eventstore.ErrTooLarge) {
			t.Fatalf("a batch over the limit the server named: %v, want ErrTooLarge", err)
		}
		if appends, _ := f.Counts(); appends != sent {
			t.Fatalf("%d appends reached the server, want %d", appends, sent)
		}
	})

	t.Run("maximum append size from the configuration", func(t *testing.T) {
		f := esdbtest.Start(t)
		f.SetMaxAppendSize(1000)
		s := newStandInStore(t, f, 1000)
		batch := make([]eventstore.EventData, 300)
		for i := range batch {
			batch[i] = big(i)
		}
		for range 20 { // the server's own refusal would be lost now and then
			if _, err := s.Append(t.Context(), "order-1", eventstore.NoStream, batch...); !errors.Is(err, eventstore.ErrTooLarge) {
				t.Fatalf("a batch over the configured limit: %v, want ErrTooLarge", err)
			}
		}
		if appends, _ := f.Counts(); appends != 0 {
			t.Fatalf("%d appends reached the server, want none", appends)
		}
		// The limit counts the server's way, the type twice: 1,000 bytes
		// fit, 1,001 do not.
		mustAppend(t, s, "order-1", eventstore.NoStream, ofSize(t, 0, 1000))
		if _, err := s.Append(t.Context(), "order-1", eventstore.Exact(0), ofSize(t, 1, 1001)); !errors.Is(err, eventstore.ErrTooLarge) {
			t.Fatalf("an event one byte over the limit: %v, want ErrTooLarge", err)
		}
	})

	t.Run("unavailable", func(t *testing.T) {
		f := esdbtest.Start(t)
		s := newStandInStore(t, f)
		f.Fail(esdbtest.OpAppend, -1, esdbtest.Unavailable)
		_, err := s.Append(t.Context(), "order-1", eventstore.NoStream, event(0))
		if !errors.Is(err, eventstore.ErrUnavailable) || !problem.Transient(err) {
			t.Fatalf("append to a server not ready: %v, want ErrUnavailable", err)
		}
		f.Fail(esdbtest.OpRead, 1, esdbtest.Unavailable)
		if _, err := s.ReadAll(t.Context(), eventstore.Start, 10); !errors.Is(err, eventstore.ErrUnavailable) {
			t.Fatalf("read from a server not ready: %v, want ErrUnavailable", err)
		}
		f.Fail(esdbtest.OpAppend, 0, esdbtest.Fault{})
		mustAppend(t, s, "order-1", eventstore.NoStream, event(0))
	})

	t.Run("unavailable while the batch is still being sent", func(t *testing.T) {
		// A server that refuses at once ends the call while the client is
		// still sending a large batch: the client reports io.EOF and drops
		// the status. Nothing was written, so it is a passing outage too.
		f := esdbtest.Start(t)
		f.SetMaxAppendSize(8 << 20)
		s := newStandInStore(t, f, 8<<20)
		batch := make([]eventstore.EventData, 300)
		for i := range batch {
			batch[i] = event(i)
			batch[i].Data = []byte(`{"pad":"` + strings.Repeat("x", 10_000) + `"}`)
		}
		f.Fail(esdbtest.OpAppend, -1, esdbtest.Unavailable)
		_, err := s.Append(t.Context(), "order-1", eventstore.NoStream, batch...)
		if !errors.Is(err, eventstore.ErrUnavailable) || !problem.Transient(err) {
			t.Fatalf("a large append to a server not ready: %v, want ErrUnavailable", err)
		}
		f.Fail(esdbtest.OpAppend, 0, esdbtest.Fault{})
		if _, err := s.ReadStream(t.Context(), "order-1", eventstore.ReadOptions{Count: 10}); !errors.Is(err, eventstore.ErrStreamNotFound) {
			t.Fatalf("after the refused append: %v, want the stream missing", err)
		}
	})

	t.Run("the client's append deadline", func(t *testing.T) {
		f := esdbtest.Start(t)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		s, err := New(ctx, Config{URL: f.URL() + "&defaultDeadline=200"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		f.DelayAppends(5 * time.Second)
		_, err = s.Append(t.Context(), "order-1", eventstore.NoStream, event(0))
		if !errors.Is(err, eventstore.ErrUnavailable) || !problem.Transient(err) {
			t.Fatalf("append past the deadline: %v, want ErrUnavailable", err)
		}
		if t.Context().Err() != nil {
			t.Fatal("the caller's context ended: the deadline was not the client's")
		}
		f.DelayAppends(0)
		mustAppend(t, s, "order-1", eventstore.NoStream, event(0))
	})

	t.Run("authentication", func(t *testing.T) {
		f := esdbtest.Start(t)
		s := newStandInStore(t, f)
		f.Fail(esdbtest.OpRead, 1, esdbtest.Unauthenticated)
		_, err := s.ReadAll(t.Context(), eventstore.Start, 10)
		if err == nil || errors.Is(err, eventstore.ErrUnavailable) || !isCode(err, esdb.ErrorCodeUnauthenticated) {
			t.Fatalf("read with bad credentials: %v, want an unauthenticated error that is not transient", err)
		}
	})
}

// ofSize returns event n padded so that the server counts size bytes for
// it (data, metadata as the Store encodes it, the type twice).
func ofSize(t *testing.T, n, size int) eventstore.EventData {
	t.Helper()
	e := event(n)
	e.Data = []byte(`{"pad":""}`)
	enc, err := eventstore.ValidateAppend("order-1", []eventstore.EventData{e})
	if err != nil {
		t.Fatal(err)
	}
	e.Data = []byte(`{"pad":"` + strings.Repeat("x", size-appendSize(toEventData(enc))) + `"}`)
	return e
}

// A write that reaches a follower is retried once, on the leader the
// follower names; a second NotLeader in a row is ErrUnavailable.
func TestNotLeader(t *testing.T) {
	leader := esdbtest.Start(t)
	follower := esdbtest.StartFollower(t, leader)
	s := newStandInStore(t, follower)
	res := mustAppend(t, s, "order-1", eventstore.NoStream, event(0))
	if appends, _ := leader.Counts(); appends != 1 {
		t.Fatalf("the leader received %d appends, want 1", appends)
	}
	if got := readAll(t, s, "order-1"); len(got) != 1 || got[0].Position != res.Position {
		t.Fatalf("read back %+v, want the one event at %s", got, res.Position)
	}
	mustAppend(t, s, "order-1", eventstore.Exact(0), event(1)) // the client stays on the leader

	t.Run("twice", func(t *testing.T) {
		leader := esdbtest.Start(t)
		first := esdbtest.StartFollower(t, leader)
		second := esdbtest.StartFollower(t, first) // names a node that is no leader either
		s := newStandInStore(t, second)
		_, err := s.Append(t.Context(), "order-1", eventstore.NoStream, event(0))
		if !errors.Is(err, eventstore.ErrUnavailable) {
			t.Fatalf("append during an election: %v, want ErrUnavailable", err)
		}
		if appends, _ := leader.Counts(); appends != 0 {
			t.Fatalf("the leader received %d appends, want none", appends)
		}
	})
}

// An error arriving mid-subscription goes through the same mapping: access
// denied ends the subscription for good (Next returns it, nothing
// resubscribes), while Unavailable is a drop it recovers from.
func TestSubscriptionErrors(t *testing.T) {
	cases := []struct {
		name  string
		fault esdbtest.Fault
		fatal bool
	}{
		{"access denied", esdbtest.AccessDenied, true},
		{"unauthenticated", esdbtest.Unauthenticated, true},
		{"unavailable", esdbtest.Unavailable, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := esdbtest.Start(t)
			s := newStandInStore(t, f)
			sub, err := s.Subscribe(t.Context(), eventstore.SubscribeOptions{Category: "order"})
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Close()
			mustAppend(t, s, "order-1", eventstore.NoStream, event(0))
			collect(t, sub, 1)
			f.EndSubscriptions(tc.fault)

			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			if !tc.fatal {
				mustAppend(t, s, "order-1", eventstore.Exact(0), event(1))
				if got, err := sub.Next(ctx); err != nil || len(got) != 1 || got[0].Revision != 1 {
					t.Fatalf("after a drop: %v, %v; want the next event", got, err)
				}
				return
			}
			_, err = sub.Next(ctx)
			if err == nil || errors.Is(err, eventstore.ErrSubscriptionClosed) || ctx.Err() != nil || errors.Is(err, eventstore.ErrUnavailable) {
				t.Fatalf("next after %s mid-subscription: %v, want the error, fatal", tc.name, err)
			}
			if _, subscribes := f.Counts(); subscribes != 1 {
				t.Fatalf("%d subscriptions reached the server, want 1: a fatal error must not be retried", subscribes)
			}
		})
	}
}
