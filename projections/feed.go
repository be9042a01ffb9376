package projections

import (
	"context"

	"github.com/orderflow/orderflow/eventstore"
)

// fetched is one result of Subscription.Next, with the subscription's
// Checkpoint after it: at or beyond the last event, when the subscription
// read past events it skips.
type fetched struct {
	events     []eventstore.RecordedEvent
	checkpoint eventstore.Position
	err        error
}

// feed reads a subscription ahead of its consumer, one batch in flight, so
// that reading the next batch overlaps applying the current one.
type feed struct {
	batches <-chan fetched
	sub     eventstore.Subscription
	cancel  context.CancelFunc
	done    chan struct{}
}

// startFeed reads sub until ctx ends, stop is called, or Next fails (the
// failure is the last thing delivered).
func startFeed(ctx context.Context, sub eventstore.Subscription) *feed {
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan fetched, 1)
	f := &feed{batches: ch, sub: sub, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(f.done)
		for {
			events, err := sub.Next(ctx)
			select {
			case ch <- fetched{events: events, checkpoint: sub.Checkpoint(), err: err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return f
}

// stop ends the feed and its subscription and waits for its goroutine.
func (f *feed) stop() {
	f.cancel()
	_ = f.sub.Close()
	<-f.done
}
