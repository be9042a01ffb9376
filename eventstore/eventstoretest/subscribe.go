package eventstoretest

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

func testSubscribe(t *testing.T, s eventstore.Store) {
	cat := NewCategory()
	other := NewCategory()
	ctx := testContext(t)

	var want []uuid.UUID
	for i := range 30 {
		batch := Events("e", i, 1+i%3)
		mustAppend(t, s, cat+"-"+strconv.Itoa(i%4), eventstore.Any, batch...)
		mustAppend(t, s, other+"-1", eventstore.Any, Event("noise", i))
		want = append(want, dataIDs(batch)...)
	}
	history := len(want)

	t.Run("catch up then live", func(t *testing.T) {
		sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: cat, BatchSize: 7})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		got := collect(t, sub, history)
		live := Events("live", 0, 5)
		go func() {
			for i, e := range live {
				if _, err := s.Append(ctx, cat+"-live", eventstore.Any, e); err != nil {
					t.Errorf("live append %d: %v", i, err)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
		got = append(got, collect(t, sub, 5)...)
		if !slices.Equal(recordedIDs(got), append(slices.Clone(want), dataIDs(live)...)) {
			t.Fatalf("subscription delivered %d events out of order, duplicated or foreign", len(got))
		}
		for i, e := range got {
			if e.Category() != cat {
				t.Fatalf("event %d is from stream %s", i, e.Stream)
			}
		}
		want = append(want, dataIDs(live)...)
	})

	t.Run("batch size is a cap", func(t *testing.T) {
		sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: cat, BatchSize: 4})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		if n := len(next(t, sub)); n < 1 || n > 4 {
			t.Fatalf("batch of %d events, want 1 to 4", n)
		}
	})

	t.Run("from a checkpoint is exclusive", func(t *testing.T) {
		all := waitForCategory(t, s, cat, len(want))
		sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: cat, From: all[9].Position})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		got := collect(t, sub, len(all)-10)
		if !slices.Equal(recordedIDs(got), recordedIDs(all[10:])) {
			t.Fatalf("resumed after event 9 but got %v first", got[0].ID)
		}
	})

	t.Run("all categories", func(t *testing.T) {
		all := waitForCategory(t, s, cat, len(want))
		sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{From: all[0].Position, BatchSize: 64})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		seen := map[string]int{}
		for seen[cat] < len(all)-1 || seen[other] < 30 {
			for _, e := range next(t, sub) {
				seen[e.Category()]++
			}
		}
		if seen[cat] != len(all)-1 {
			t.Fatalf("saw %d events of %s after its first, want %d", seen[cat], cat, len(all)-1)
		}
	})

	t.Run("close ends the subscription", func(t *testing.T) {
		sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: NewCategory()})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := sub.Next(ctx)
			done <- err
		}()
		time.Sleep(50 * time.Millisecond)
		sub.Close()
		sub.Close()
		select {
		case err := <-done:
			if !errors.Is(err, eventstore.ErrSubscriptionClosed) {
				t.Fatalf("next after close: %v, want ErrSubscriptionClosed", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("next did not return after close")
		}
	})

	t.Run("its context ends it", func(t *testing.T) {
		life, cancel := context.WithCancel(ctx)
		sub, err := s.Subscribe(life, eventstore.SubscribeOptions{Category: NewCategory()})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		cancel()
		if _, err := sub.Next(ctx); !errors.Is(err, eventstore.ErrSubscriptionClosed) {
			t.Fatalf("next after the subscription's context ended: %v, want ErrSubscriptionClosed", err)
		}
	})

	t.Run("next's context bounds the wait", func(t *testing.T) {
		sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: NewCategory()})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		wait, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if _, err := sub.Next(wait); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("next on an idle subscription: %v, want context.DeadlineExceeded", err)
		}
	})
}
