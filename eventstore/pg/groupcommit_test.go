package pg_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/eventstoretest"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/dbtest"
)

// TestQueuedAppends has far more writers than transaction slots, so most
// appends queue and are group-committed while some go straight out: new
// streams, appends after them, retries of stored batches at a wrong
// expected revision, conflicts and partial overlaps, all at once. Each
// must get exactly its own outcome.
func TestQueuedAppends(t *testing.T) {
	url := dbtest.New(t)
	s, err := pg.New(context.Background(), pg.Config{DatabaseURL: url, Flushers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cat := eventstoretest.NewCategory()

	const writers = 32
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- queuedWriter(ctx, s, fmt.Sprintf("%s-%d", cat, w), 1+w%3)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// queuedWriter runs one writer's script on stream with batches of size
// events, and says what went wrong.
func queuedWriter(ctx context.Context, s *pg.Store, stream string, size int) error {
	first := eventstoretest.Events("a", 0, size)
	created, err := s.Append(ctx, stream, eventstore.NoStream, first...)
	if err != nil || created.Revision != uint64(size-1) {
		return fmt.Errorf("%s: create: %+v, %v", stream, created, err)
	}
	for round := range 5 {
		// A retry of the first batch, expecting something no longer true,
		// returns the original result.
		again, err := s.Append(ctx, stream, eventstore.NoStream, first...)
		if err != nil || again != created {
			return fmt.Errorf("%s: retry %d: %+v, %v, want %+v", stream, round, again, err, created)
		}
		rev := uint64(size*(round+1) - 1)
		next := eventstoretest.Events("b", size*(round+1), size)
		res, err := s.Append(ctx, stream, eventstore.Exact(rev), next...)
		if err != nil || res.Revision != rev+uint64(size) || !created.Position.Less(res.Position) {
			return fmt.Errorf("%s: append %d after %d: %+v, %v", stream, round, rev, res, err)
		}
		_, err = s.Append(ctx, stream, eventstore.Exact(rev), eventstoretest.Event("c", round))
		var c *eventstore.ConflictError
		if !errors.As(err, &c) || !c.ActualKnown || !c.Exists || c.Actual != rev+uint64(size) {
			return fmt.Errorf("%s: stale append %d: %v, want a conflict at %d", stream, round, err, rev+uint64(size))
		}
		if size > 1 {
			overlap := append(next[1:], eventstoretest.Event("d", round))
			if _, err := s.Append(ctx, stream, eventstore.Any, overlap...); !errors.Is(err, eventstore.ErrPartialOverlap) {
				return fmt.Errorf("%s: overlapping append %d: %v, want ErrPartialOverlap", stream, round, err)
			}
		}
	}
	events, err := s.ReadStream(ctx, stream, eventstore.ReadOptions{Count: 100})
	if err != nil || len(events) != 6*size {
		return fmt.Errorf("%s: holds %d events (%v), want %d", stream, len(events), err, 6*size)
	}
	for i, e := range events {
		if e.Revision != uint64(i) {
			return fmt.Errorf("%s: event %d has revision %d", stream, i, e.Revision)
		}
	}
	return nil
}
