package esdb

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/orderflow/orderflow/eventstore"
)

// Subscribe starts a catch-up subscription to every user stream, or to the
// streams of opts.Category, from opts.From (exclusive; the zero Position is
// the start of the log). It returns at once: a goroutine subscribes, and
// subscribes again whenever the subscription drops (see the package
// documentation), until ctx ends or Close is called. A category that is not
// well-formed or a negative batch size returns an error wrapping
// eventstore.ErrInvalid.
func (s *Store) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	if err := eventstore.ValidateCategory(opts.Category); err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	if opts.BatchSize < 0 {
		return nil, fmt.Errorf("%w: subscribe: batch size %d is negative", eventstore.ErrInvalid, opts.BatchSize)
	}
	size := opts.BatchSize
	if size == 0 {
		size = eventstore.DefaultBatchSize
	}
	what := "all streams"
	if opts.Category != "" {
		what = "category " + opts.Category
	}
	subCtx, cancel := context.WithCancel(ctx)
	sub := &subscription{
		store:    s,
		log:      s.log.With("subscription", what),
		what:     what,
		category: opts.Category,
		filter:   subscriptionFilter(opts.Category),
		size:     size,
		ctx:      subCtx,
		cancel:   cancel,
		events:   make(chan eventstore.RecordedEvent, size),
		exited:   make(chan struct{}),
		last:     opts.From,
	}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		cancel()
		return nil, fmt.Errorf("subscribe to %s: %w", what, ErrClosed)
	}
	s.subs[sub] = struct{}{}
	s.mu.Unlock()

	go sub.supervise()
	return sub, nil
}

// subscription is the Subscription Subscribe returns. Its supervise
// goroutine is the only sender on events and the only user of last.
type subscription struct {
	store    *Store
	log      *slog.Logger
	what     string // "all streams" or "category order", for messages
	category string
	filter   *esdb.SubscriptionFilter
	size     int

	ctx    context.Context // ends with the Subscribe context or Close
	cancel context.CancelFunc
	events chan eventstore.RecordedEvent
	exited chan struct{} // closed when supervise returns
	err    error         // why it ended; written before events is closed

	// last is the position of the last event queued on events: where a
	// resubscription starts (exclusive) and what it must not deliver again.
	last eventstore.Position
}

// Next blocks until at least one event is available and returns up to the
// batch size of them, in global order, each after the last one returned.
// It returns ctx.Err() when ctx ends first, an error wrapping
// eventstore.ErrSubscriptionClosed once the subscription's context has
// ended or Close was called, and any other error when the subscription
// failed for good (bad credentials or access rights). Next is meant for one
// consumer; Close may be called from any goroutine.
func (sub *subscription) Next(ctx context.Context) ([]eventstore.RecordedEvent, error) {
	if sub.ctx.Err() != nil {
		return nil, sub.closedErr()
	}
	var first eventstore.RecordedEvent
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-sub.ctx.Done():
		return nil, sub.closedErr()
	case e, ok := <-sub.events:
		if !ok {
			return nil, sub.err
		}
		first = e
	}
	batch := make([]eventstore.RecordedEvent, 1, min(sub.size, 1+len(sub.events)))
	batch[0] = first
	for len(batch) < sub.size {
		select {
		case e, ok := <-sub.events:
			if !ok {
				return batch, nil // the error comes with the next call
			}
			batch = append(batch, e)
		default:
			return batch, nil
		}
	}
	return batch, nil
}

// Close ends the subscription and waits for its goroutine to stop. It is
// safe to call more than once.
func (sub *subscription) Close() error {
	sub.cancel()
	<-sub.exited
	return nil
}

// closedErr is the error of a subscription that was closed or whose
// context ended.
func (sub *subscription) closedErr() error {
	return fmt.Errorf("subscription to %s: %w", sub.what, eventstore.ErrSubscriptionClosed)
}

// wants reports whether the subscription delivers e. The server-side filter
// has chosen the streams already; this leaves out system events and guards
// the category.
func (sub *subscription) wants(e *esdb.RecordedEvent) bool {
	if isSystemEvent(e) {
		return false
	}
	return sub.category == "" || eventstore.Category(e.StreamID) == sub.category
}

// forget removes a finished subscription from its store.
func (s *Store) forget(sub *subscription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.subs, sub)
}
