package command

import "github.com/orderflow/orderflow/write/domain"

// Aggregate tells the handler how to rebuild one kind of aggregate from its
// stream. Each context's package provides the pieces.
type Aggregate[S any] struct {
	// Category is the stream category; the stream of aggregate id is
	// Category + "-" + id.
	Category string
	// Evolve applies one event to the state. It may change the state in
	// place (a map it holds); the handler then needs Clone.
	Evolve func(S, domain.Event) S
	// Decode turns a stored event back into a domain event.
	Decode func(typ string, data []byte) (domain.Event, error)
	// Clone, when set, lets the handler keep the aggregate's latest state
	// in memory between commands and read only the events after it. It
	// must return a state that shares nothing Evolve changes in place. The
	// handler clones once per batch of commands while other processes
	// write to the stream (their conflicts would otherwise cost a reload).
	// Without it every batch reads the stream (from its latest persisted
	// snapshot, if any).
	Clone func(S) S
	// Snapshot, when set, persists the state now and then, so that loading
	// a long stream cold (after a restart, or a state the handler forgot)
	// reads the latest snapshot and the events after it, not the whole
	// history.
	Snapshot *Snapshot[S]
}

// Stream returns the stream name of aggregate id.
func (a Aggregate[S]) Stream(id string) string { return a.Category + "-" + id }

// Snapshot says how to persist an aggregate's state. Snapshots of stream X
// are events of the stream SnapshotStream(X); see the package
// documentation.
type Snapshot[S any] struct {
	// Version is the schema version of what Encode writes. A stored
	// snapshot of another version is ignored: the stream is read from its
	// start, and a new snapshot written.
	Version int
	// Every is how many events may follow the latest snapshot before the
	// handler writes a new one; it bounds what a cold load reads.
	Every int
	// Encode returns the state as JSON.
	Encode func(S) ([]byte, error)
	// Decode reads what Encode wrote back into a state.
	Decode func([]byte) (S, error)
}
