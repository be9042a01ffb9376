package projectionstest

import (
	"context"

	"github.com/orderflow/orderflow/eventstore"
)

// Doubling is an event store whose subscriptions deliver every event
// twice, and every batch again at the start of the next one: at-least-once
// delivery at its worst, for the tests of exactly-once effects.
type Doubling struct{ eventstore.Store }

// Subscribe returns a subscription of the underlying store that delivers
// as Doubling says.
func (d Doubling) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	sub, err := d.Store.Subscribe(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &doubled{Subscription: sub}, nil
}

// doubled is a subscription of a Doubling store.
type doubled struct {
	eventstore.Subscription
	prev []eventstore.RecordedEvent
}

func (d *doubled) Next(ctx context.Context) ([]eventstore.RecordedEvent, error) {
	events, err := d.Subscription.Next(ctx)
	if err != nil {
		return nil, err
	}
	out := append([]eventstore.RecordedEvent(nil), d.prev...)
	for _, e := range events {
		out = append(out, e, e)
	}
	d.prev = events
	return out, nil
}
