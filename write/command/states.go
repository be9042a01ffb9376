package command

import (
	"container/list"
	"sync"
)

// DefaultStates is how many aggregate states a Handler keeps in memory
// while no command is running on them.
const DefaultStates = 4096

// states keeps the states of the most recently parked streams, up to a
// bound, forgetting the one parked longest ago first. A stream's writer
// takes its state out when it starts and parks it again when its queue is
// empty, so a state is never used by two goroutines. It is safe for
// concurrent use.
type states struct {
	mu      sync.Mutex
	max     int
	entries map[string]*list.Element
	order   *list.List // of parked, oldest first
}

// parked is a state in the list.
type parked struct {
	stream string
	state  any
}

func newStates(max int) *states {
	return &states{max: max, entries: make(map[string]*list.Element), order: list.New()}
}

// take removes and returns the state parked for stream.
func (c *states) take(stream string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[stream]
	if !ok {
		return nil, false
	}
	delete(c.entries, stream)
	c.order.Remove(e)
	return e.Value.(parked).state, true
}

// put parks s as the state of stream.
func (c *states) put(stream string, s any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[stream]; ok {
		c.order.Remove(e)
	}
	for c.order.Len() >= c.max && c.order.Len() > 0 {
		oldest := c.order.Front()
		c.order.Remove(oldest)
		delete(c.entries, oldest.Value.(parked).stream)
	}
	c.entries[stream] = c.order.PushBack(parked{stream: stream, state: s})
}

// len returns how many states are parked.
func (c *states) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
