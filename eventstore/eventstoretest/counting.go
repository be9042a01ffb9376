package eventstoretest

import (
	"context"
	"sync"

	"github.com/orderflow/orderflow/eventstore"
)

// Counting is a real store that counts the events its reads return: per
// stream for ReadStream, and in all for ReadAll and the batches of its
// subscriptions. Tests use it to show what a component reads (a cold load
// from a snapshot, a catalog resuming from a checkpoint). It is safe for
// concurrent use.
type Counting struct {
	eventstore.Store
	mu     sync.Mutex
	stream map[string]int
	log    int
}

// NewCounting returns store, counting.
func NewCounting(store eventstore.Store) *Counting {
	return &Counting{Store: store, stream: map[string]int{}}
}

// ReadStream reads from the store and counts the events returned.
func (c *Counting) ReadStream(ctx context.Context, stream string, opts eventstore.ReadOptions) ([]eventstore.RecordedEvent, error) {
	events, err := c.Store.ReadStream(ctx, stream, opts)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stream[stream] += len(events)
	return events, err
}

// ReadAll reads the log from the store and counts the events returned.
func (c *Counting) ReadAll(ctx context.Context, from eventstore.Position, limit int) ([]eventstore.RecordedEvent, error) {
	events, err := c.Store.ReadAll(ctx, from, limit)
	c.addLog(len(events))
	return events, err
}

// Subscribe subscribes through the store; the events its batches deliver
// count as read from the log.
func (c *Counting) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	sub, err := c.Store.Subscribe(ctx, opts)
	if err != nil {
		return nil, err
	}
	return countingSubscription{Subscription: sub, c: c}, nil
}

// StreamReads returns how many events ReadStream returned of stream.
func (c *Counting) StreamReads(stream string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stream[stream]
}

// LogReads returns how many events ReadAll and the subscriptions returned.
func (c *Counting) LogReads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log
}

func (c *Counting) addLog(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log += n
}

type countingSubscription struct {
	eventstore.Subscription
	c *Counting
}

func (s countingSubscription) Next(ctx context.Context) ([]eventstore.RecordedEvent, error) {
	events, err := s.Subscription.Next(ctx)
	s.c.addLog(len(events))
	return events, err
}
