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
		store:    s,
		category: opts.Category,
		batch:    batch,
		after:    opts.From,
		life:     life,
		cancel:   cancel,
	}, nil
}

// subscription is a polling catch-up subscription. Next is not safe for
// concurrent use; Close is.
type subscription struct {
	store    *Store
	category string
	batch    int
	after    eventstore.Position

	life      context.Context
	cancel    context.CancelFunc
	closeOnce sync.Once
	timer     *time.Timer
}

// Next implements eventstore.Subscription.
func (s *subscription) Next(ctx context.Context) ([]eventstore.RecordedEvent, error) {
	for {
		if s.life.Err() != nil {
			return nil, fmt.Errorf("subscription after %s: %w", s.after, eventstore.ErrSubscriptionClosed)
		}
		woken := s.store.wake.wait() // before reading, so no wake-up is lost
		events, err := s.store.readAfter(ctx, s.after, s.category, s.batch, nil)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if s.life.Err() != nil {
				continue
			}
			return nil, err
		}
		if len(events) > 0 {
			s.after = events[len(events)-1].Position
			return events, nil
		}
		if err := s.sleep(ctx, woken); err != nil {
			return nil, err
		}
	}
}

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
