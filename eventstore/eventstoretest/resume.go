package eventstoretest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

// testResume stops a subscriber at 20 random points while writers append,
// and resumes it from a checkpoint it was handed: sometimes the last one,
// sometimes an older one (a consumer that crashed before saving). After
// de-duplication the events arrive complete and in global order.
func testResume(t *testing.T, s eventstore.Store) {
	const (
		writers = 4
		perW    = 500
		stops   = 20
	)
	cat := NewCategory()
	ctx := testContext(t)

	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perW {
				if _, err := s.Append(ctx, fmt.Sprintf("%s-%d", cat, (w*perW+i)%7), eventstore.Any, Event("r", i)); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				if i%50 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		}()
	}

	total := writers * perW
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	stopAt := make([]int, stops)
	for i := range stopAt {
		stopAt[i] = rng.IntN(total * 9 / 10)
	}
	slices.Sort(stopAt)

	var (
		received    []uuid.UUID
		seen        = map[uuid.UUID]bool{}
		checkpoints = []eventstore.Position{eventstore.Start}
		sub         eventstore.Subscription
	)
	subscribe := func(from eventstore.Position) {
		var err error
		sub, err = s.Subscribe(ctx, eventstore.SubscribeOptions{Category: cat, From: from, BatchSize: 1 + rng.IntN(20)})
		if err != nil {
			t.Fatal(err)
		}
	}
	subscribe(eventstore.Start)
	restarts := 0
	for len(received) < total {
		batch := next(t, sub)
		for _, e := range batch {
			if !seen[e.ID] {
				seen[e.ID] = true
				received = append(received, e.ID)
			}
		}
		checkpoints = append(checkpoints, batch[len(batch)-1].Position)
		for restarts < stops && len(received) >= stopAt[restarts] {
			sub.Close()
			restarts++
			from := checkpoints[len(checkpoints)-1]
			if rng.IntN(2) == 0 { // lost the last few checkpoints
				from = checkpoints[max(0, len(checkpoints)-1-rng.IntN(5))]
			}
			subscribe(from)
		}
	}
	sub.Close()
	wg.Wait()
	if restarts != stops {
		t.Fatalf("stopped %d times, want %d", restarts, stops)
	}
	stored := waitForCategory(t, s, cat, total)
	if !slices.Equal(received, recordedIDs(stored)) {
		t.Fatalf("after %d restarts the de-duplicated events differ from the global log (%d received, %d stored)", restarts, len(received), len(stored))
	}

	t.Run("no duplicates beyond the checkpoint", func(t *testing.T) {
		sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: cat, From: stored[total/2].Position})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		got := collect(t, sub, total-total/2-1)
		if !slices.Equal(recordedIDs(got), recordedIDs(stored[total/2+1:])) {
			t.Fatal("resuming from a checkpoint does not continue right after it")
		}
		wait, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		if extra, err := sub.Next(wait); err == nil {
			t.Fatalf("subscription delivered %d events beyond the log", len(extra))
		}
	})
}
