package eventstoretest

import (
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

// testConcurrentSameRevision has 64 goroutines append to one stream at the
// same expected revision, 100 rounds: one wins each round, the rest conflict.
func testConcurrentSameRevision(t *testing.T, s eventstore.Store) {
	const (
		writers = 64
		rounds  = 100
	)
	stream := NewCategory() + "-contended"
	ctx := testContext(t)
	winners := make([]uuid.UUID, rounds)

	for round := range rounds {
		expected := eventstore.NoStream
		if round > 0 {
			expected = eventstore.Exact(uint64(round - 1))
		}
		var (
			start sync.WaitGroup
			done  sync.WaitGroup
			mu    sync.Mutex
			wins  []eventstore.AppendResult
			ids   []uuid.UUID
			other []error
		)
		start.Add(1)
		for range writers {
			done.Add(1)
			go func() {
				defer done.Done()
				e := Event("try", round)
				start.Wait()
				res, err := s.Append(ctx, stream, expected, e)
				mu.Lock()
				defer mu.Unlock()
				var c *eventstore.ConflictError
				switch {
				case err == nil:
					wins, ids = append(wins, res), append(ids, e.ID)
				case errors.As(err, &c):
				default:
					other = append(other, err)
				}
			}()
		}
		start.Done()
		done.Wait()
		if len(other) > 0 {
			t.Fatalf("round %d: %d appends failed with something other than a conflict, first: %v", round, len(other), other[0])
		}
		if len(wins) != 1 {
			t.Fatalf("round %d: %d appends succeeded at expected %s, want exactly 1", round, len(wins), expected)
		}
		if wins[0].Revision != uint64(round) {
			t.Fatalf("round %d: the winner wrote revision %d", round, wins[0].Revision)
		}
		winners[round] = ids[0]
	}
	got := readStream(t, s, stream)
	if len(got) != rounds {
		t.Fatalf("stream holds %d events after %d rounds, want %d", len(got), rounds, rounds)
	}
	for i, e := range got {
		if e.ID != winners[i] {
			t.Fatalf("revision %d holds %s, but the round's winner was %s", i, e.ID, winners[i])
		}
	}
}
