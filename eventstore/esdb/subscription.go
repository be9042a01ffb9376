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
		store:       s,
		log:         s.log.With("subscription", what),
		what:        what,
		category:    opts.Category,
		filter:      subscriptionFilter(opts.Category),
		size:        size,
		checkpoints: opts.Checkpoints,
		ctx:         subCtx,
		cancel:      cancel,
		items:       make(chan item, size),
		exited:      make(chan struct{}),
		last:        opts.From,
		progress:    opts.From,
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
	// checkpoints lets Next return with no event when only a checkpoint
	// came (SubscribeOptions.Checkpoints).
	checkpoints bool

	ctx    context.Context // ends with the Subscribe context or Close
	cancel context.CancelFunc
	items  chan item     // events and checkpoints, in log order
	exited chan struct{} // closed when supervise returns
	err    error         // why it ended; written before items is closed

	// last is the position of the last event or checkpoint queued on
	// items: where a resubscription starts (exclusive) and what it must
	// not deliver again.
	last eventstore.Position

	// Next's own: progress is what Checkpoint returns; pending is an item
	// taken from items that the next call returns first.
	progress eventstore.Position
	pending  *item
}

// item is an event, or a checkpoint: a position the server has read the
// log up to, past events the filter skipped.
type item struct {
	event      eventstore.RecordedEvent
	checkpoint bool
	pos        eventstore.Position
}

// Next blocks until at least one event is available and returns up to the
// batch size of them, in global order, each after the last one returned.
// With Checkpoints it also returns no event when a checkpoint came before
// any event. It returns ctx.Err() when ctx ends first, an error wrapping
// eventstore.ErrSubscriptionClosed once the subscription's context has
// ended or Close was called, and any other error when the subscription
// failed for good (bad credentials or access rights). Next is meant for one
// consumer; Close may be called from any goroutine.
func (sub *subscription) Next(ctx context.Context) ([]eventstore.RecordedEvent, error) {
	if sub.ctx.Err() != nil {
		return nil, sub.closedErr()
	}
	var batch []eventstore.RecordedEvent
	for len(batch) == 0 {
		it, ok, err := sub.take(ctx, true)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, sub.err
		}
		sub.progress = it.pos
		if !it.checkpoint {
			batch = make([]eventstore.RecordedEvent, 1, min(sub.size, 1+len(sub.items)))
			batch[0] = it.event
		} else if sub.checkpoints {
			batch = []eventstore.RecordedEvent{}
			break
		}
	}
	// Take what is queued already: events up to the batch size, and the
	// checkpoints among and right after them.
	for {
		it, ok, _ := sub.take(ctx, false)
		if !ok {
			return batch, nil // nothing queued; an error comes with the next call
		}
		if !it.checkpoint && len(batch) == sub.size {
			sub.pending = &it
			return batch, nil
		}
		sub.progress = it.pos
		if !it.checkpoint {
			batch = append(batch, it.event)
		}
	}
}

// take returns the pending item or the next one queued, waiting for one
// when wait is true. It reports false when the queue is closed (sub.err
// says why) or, without wait, empty.
func (sub *subscription) take(ctx context.Context, wait bool) (item, bool, error) {
	if it := sub.pending; it != nil {
		sub.pending = nil
		return *it, true, nil
	}
	if !wait {
		select {
		case it, ok := <-sub.items:
			return it, ok, nil
		default:
			return item{}, false, nil
		}
	}
	select {
	case <-ctx.Done():
		return item{}, false, ctx.Err()
	case <-sub.ctx.Done():
		return item{}, false, sub.closedErr()
	case it, ok := <-sub.items:
		return it, ok, nil
	}
}

// Checkpoint returns how far the subscription has read the log as of the
// last Next: the last event it returned, or a later checkpoint of the
// server's.
func (sub *subscription) Checkpoint() eventstore.Position { return sub.progress }

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
