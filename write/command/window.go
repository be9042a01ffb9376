package command

import "github.com/google/uuid"

// DefaultWindow is how many event ids derived from idempotency keys the
// handler remembers per stream (see Handler).
const DefaultWindow = 512

// window remembers the revisions of a stream's most recent events whose
// ids come from an idempotency key (EventID makes version 5 UUIDs; other
// events have random ones and are never looked up), up to a bound,
// forgetting the oldest first. It is owned by one stream's writer.
type window struct {
	max   int
	revs  map[uuid.UUID]uint64
	order []uuid.UUID // oldest first
}

func newWindow(max int) *window {
	return &window{max: max, revs: make(map[uuid.UUID]uint64)}
}

// add records that event id is stored at revision rev.
func (w *window) add(id uuid.UUID, rev uint64) {
	if id.Version() != 5 || w.max <= 0 {
		return
	}
	if _, ok := w.revs[id]; !ok {
		w.order = append(w.order, id)
	}
	w.revs[id] = rev
	for len(w.order) > w.max {
		delete(w.revs, w.order[0])
		w.order = w.order[1:]
	}
}

// get returns the revision of event id, if it is among the remembered.
func (w *window) get(id uuid.UUID) (uint64, bool) {
	rev, ok := w.revs[id]
	return rev, ok
}
