package readmodels_test

import (
	"context"

	"github.com/orderflow/orderflow/eventstore"
)

// truncated is an event store whose global log ends at limit: what a
// projection at checkpoint limit has seen.
type truncated struct {
	eventstore.Store
	limit eventstore.Position
}

func (s truncated) Head(ctx context.Context) (eventstore.Position, error) {
	head, err := s.Store.Head(ctx)
	if err != nil || head.Less(s.limit) {
		return head, err
	}
	return s.limit, nil
}

func (s truncated) ReadAll(ctx context.Context, from eventstore.Position, count int) ([]eventstore.RecordedEvent, error) {
	events, err := s.Store.ReadAll(ctx, from, count)
	return s.upToLimit(events), err
}

func (s truncated) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	sub, err := s.Store.Subscribe(ctx, opts)
	if err != nil {
		return nil, err
	}
	return truncatedSub{Subscription: sub, s: s}, nil
}

// upToLimit returns the events of a page that are at or before the limit.
func (s truncated) upToLimit(events []eventstore.RecordedEvent) []eventstore.RecordedEvent {
	n := 0
	for n < len(events) && !s.limit.Less(events[n].Position) {
		n++
	}
	return events[:n]
}

// truncatedSub is a subscription of a truncated store: past the limit,
// nothing more ever arrives.
type truncatedSub struct {
	eventstore.Subscription
	s truncated
}

func (t truncatedSub) Next(ctx context.Context) ([]eventstore.RecordedEvent, error) {
	events, err := t.Subscription.Next(ctx)
	if err != nil {
		return nil, err
	}
	if events = t.s.upToLimit(events); len(events) > 0 {
		return events, nil
	}
	<-ctx.Done()
	return nil, ctx.Err()
}
