package pg

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/orderflow/orderflow/eventstore"
)

var _ eventstore.Subscription = (*subscription)(nil)

// Subscribe implements eventstore.Store. The subscription polls the global
// log after its checkpoint; appends wake it early.
func (s *Store) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	if err := eventstore.ValidateCategory(opts.Category); err != nil {
		return nil, err
	}
	batch := opts.BatchSize
	if batch <= 0 {
		batch = eventstore.DefaultBatchSize
	}
	life, cancel := context.WithCancel(ctx)
	return &subscription{
		store:       s,
		category:    opts.Category,
		checkpoints: opts.Checkpoints && opts.Category != "",
		batch:       batch,
		after:       opts.From,
		life:        life,
		cancel:      cancel,
	}, nil
}

// subscription is a polling catch-up subscription. Next is not safe for
// concurrent use; Close is.
type subscription struct {
	store    *Store
	category string
	// checkpoints tells that a category subscription hands out the head
	// of the log it has read past (see Next).
	checkpoints bool
	batch       int
	// after is the checkpoint: the last event returned, or a head of the
	// log the category has no event before.
	after eventstore.Position

	life      context.Context
	cancel    context.CancelFunc
	closeOnce sync.Once
	timer     *time.Timer
}

// Next implements eventstore.Subscription. A category subscription made
// with Checkpoints reads the head of the log before each read of its
// category: when that read comes back short, every event of the category
// up to that head has been returned (the head's transaction ended before
// the read's snapshot), so the head becomes the checkpoint, and Next
// returns with no event when it moved only that.
func (s *subscription) Next(ctx context.Context) ([]eventstore.RecordedEvent, error) {
	for {
		if s.life.Err() != nil {
			return nil, fmt.Errorf("subscription after %s: %w", s.after, eventstore.ErrSubscriptionClosed)
		}
		woken := s.store.wake.waitFor(s.category) // before reading, so no wake-up is lost
		var head eventstore.Position
		if s.checkpoints {
			h, err := s.store.Head(ctx)
			if err != nil {
				if err := s.failed(ctx, err); err != nil {
					return nil, err
				}
				continue
			}
			head = h
		}
		events, err := s.store.readAfter(ctx, s.after, s.category, s.batch, nil)
		if err != nil {
			if err := s.failed(ctx, err); err != nil {
				return nil, err
			}
			continue
		}
		short := len(events) < s.batch
		if len(events) > 0 {
			s.after = events[len(events)-1].Position
			if short && s.after.Less(head) {
				s.after = head
			}
			return events, nil
		}
		if s.after.Less(head) {
			s.after = head
			return []eventstore.RecordedEvent{}, nil
		}
		if err := s.sleep(ctx, woken); err != nil {
			return nil, err
		}
	}
}

// failed returns what Next returns after a read failed with err: the
// caller's context error when that ended, nil when the subscription is
// closing (Next loops and reports it closed), err otherwise.
func (s *subscription) failed(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case s.life.Err() != nil:
		return nil
	default:
		return err
	}
}

// Checkpoint implements eventstore.Subscription.
func (s *subscription) Checkpoint() eventstore.Position { return s.after }

// sleep waits for a wake-up, the poll interval, or the end of ctx.
func (s *subscription) sleep(ctx context.Context, woken <-chan struct{}) error {
	if s.timer == nil {
		s.timer = time.NewTimer(s.store.poll)
	} else {
		s.timer.Reset(s.store.poll)
	}
	select {
	case <-woken:
	case <-s.timer.C:
	case <-s.life.Done():
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// Close implements eventstore.Subscription.
func (s *subscription) Close() error {
	s.closeOnce.Do(s.cancel)
	return nil
}
