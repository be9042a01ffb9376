package paymentprovider

import (
	"context"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// slots is the client's bulkhead: at most n requests to the provider at
// once. A caller beyond that waits its turn, first come first served
// (semaphore.Weighted queues its waiters in order), for at most wait; a
// slot is held from before a request is sent until its exchange has ended
// (answer read and body closed, or the exchange cut off), so the provider
// never sees more than n of our requests, even when an attempt's timeout
// gave up on one that is still under way.
type slots struct {
	sem     *semaphore.Weighted
	wait    time.Duration // <= 0: refuse at once when full
	waiting atomic.Int64
}

func newSlots(n int, wait time.Duration) *slots {
	return &slots{sem: semaphore.NewWeighted(int64(n)), wait: wait}
}

// acquire takes a slot, waiting for at most s.wait. It returns
// ErrBulkheadFull when none freed up in time, or ctx's error when ctx
// ended first.
func (s *slots) acquire(ctx context.Context) error {
	if s.sem.TryAcquire(1) {
		return nil
	}
	if s.wait <= 0 {
		return ErrBulkheadFull
	}
	s.waiting.Add(1)
	defer s.waiting.Add(-1)
	wctx, cancel := context.WithTimeout(ctx, s.wait)
	defer cancel()
	if err := s.sem.Acquire(wctx, 1); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return ErrBulkheadFull
	}
	return nil
}

// release gives a slot back.
func (s *slots) release() { s.sem.Release(1) }
