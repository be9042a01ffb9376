package esdb

import (
	"math"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/orderflow/orderflow/eventstore"
)

// toPosition maps an EventStoreDB $all position onto the port's Position:
// the same commit and prepare positions, ordered the same way.
func toPosition(p esdb.Position) eventstore.Position {
	return eventstore.Position{Commit: p.Commit, Prepare: p.Prepare}
}

// fromPosition maps a port Position back onto EventStoreDB's.
func fromPosition(p eventstore.Position) esdb.Position {
	return esdb.Position{Commit: p.Commit, Prepare: p.Prepare}
}

// validPosition reports whether p is the position of a record. The server
// sends ^uint64(0) ("-1") where it does not know a position (a stream read
// on servers before 22.6), and the client reports an append result without
// a position as 0/0, which no event has: the log starts with the server's
// own records.
func validPosition(p esdb.Position) bool {
	return p.Commit != math.MaxUint64 && p.Prepare != math.MaxUint64 && (p.Commit != 0 || p.Prepare != 0)
}

// recordedPosition is the port Position of an event read back, or the zero
// Position when the server did not say.
func recordedPosition(p esdb.Position) eventstore.Position {
	if !validPosition(p) {
		return eventstore.Position{}
	}
	return toPosition(p)
}

// allFrom is where a read or subscription of $all starts for a checkpoint:
// the start of the log for the zero Position, the position itself otherwise.
func allFrom(p eventstore.Position) esdb.AllPosition {
	if p.IsZero() {
		return esdb.Start{}
	}
	return fromPosition(p)
}
