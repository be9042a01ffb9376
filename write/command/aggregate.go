package command

import "github.com/orderflow/orderflow/write/domain"

// Aggregate tells Execute how to rebuild one kind of aggregate from its
// stream. Each context's package provides the pieces.
type Aggregate[S any] struct {
	// Category is the stream category; the stream of aggregate id is
	// Category + "-" + id.
	Category string
	// Evolve applies one event to the state.
	Evolve func(S, domain.Event) S
	// Decode turns a stored event back into a domain event.
	Decode func(typ string, data []byte) (domain.Event, error)
	// Clone, when set, lets the handler keep the aggregate's latest state
	// in memory and read only the events after it (worth it for long
	// streams). It must return a state that shares nothing Evolve changes
	// in place.
	Clone func(S) S
}

// Stream returns the stream name of aggregate id.
func (a Aggregate[S]) Stream(id string) string { return a.Category + "-" + id }
