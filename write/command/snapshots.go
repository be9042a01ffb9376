package command

import (
	"sync"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

// DefaultSnapshots is how many aggregate states a Handler keeps in memory.
const DefaultSnapshots = 4096

// snapshot is an aggregate's state at a revision, with the ids of all its
// events (to recognise a retried command). Snapshots are never changed once
// stored: loaders clone the state and copy the ids before adding to them.
type snapshot struct {
	state    any
	revision int64
	position eventstore.Position
	ids      map[uuid.UUID]uint64
}

// snapshots keeps the most recently stored snapshots, up to a bound,
// forgetting the oldest first. It is safe for concurrent use.
type snapshots struct {
	mu      sync.Mutex
	max     int
	entries map[string]*snapshot
	order   []string // streams in the order their entries were created
}

func newSnapshots(max int) *snapshots {
	return &snapshots{max: max, entries: make(map[string]*snapshot, max)}
}

func (c *snapshots) get(stream string) (*snapshot, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.entries[stream]
	return s, ok
}

// put stores s unless a snapshot of the same stream at a later revision is
// there already.
func (c *snapshots) put(stream string, s *snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[stream]; ok {
		if old.revision < s.revision {
			c.entries[stream] = s
		}
		return
	}
	if len(c.order) >= c.max {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	c.entries[stream] = s
	c.order = append(c.order, stream)
}
