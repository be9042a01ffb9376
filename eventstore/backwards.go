package eventstore

import "context"

// LogEnd stands for "after the last event of the global log" in
// BackwardsReader.ReadAllBackwards: no event has this position.
var LogEnd = Position{Commit: 1<<64 - 1, Prepare: 1<<64 - 1}

// BackwardsReader is what a store that can walk the global log from its
// end offers besides Store. Both adapters implement it; it is not part of
// Store, so that wrappers of a Store need not.
type BackwardsReader interface {
	// ReadAllBackwards returns up to count events of the global log
	// before before (exclusive), newest first: the same events, in the
	// reverse order, that ReadAll returns after the position of the
	// count-th event before before. Pass LogEnd to start at the last
	// event. A count that is not positive returns an error wrapping
	// ErrInvalid.
	ReadAllBackwards(ctx context.Context, before Position, count int) ([]RecordedEvent, error)
}
