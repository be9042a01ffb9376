package esdb

import (
	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/orderflow/orderflow/eventstore"
)

// toExpectedRevision maps the port's expected revision onto the client's:
// Any, NoStream, StreamExists and Exact(n) have direct counterparts.
func toExpectedRevision(e eventstore.ExpectedRevision) esdb.ExpectedRevision {
	switch {
	case e.IsNoStream():
		return esdb.NoStream{}
	case e.IsStreamExists():
		return esdb.StreamExists{}
	}
	if rev, ok := e.Revision(); ok {
		return esdb.Revision(rev)
	}
	return esdb.Any{}
}

// maxPinnedAttempts bounds how often Append re-reads a stream that moved
// between its check and its write before it hands Any or StreamExists to
// the server unpinned.
const maxPinnedAttempts = 8

// writePlan is how one attempt of Append writes.
type writePlan struct {
	// wire is the expected revision sent to the server.
	wire esdb.ExpectedRevision
	// pinned tells that wire is the revision Append read, not the caller's
	// expectation: a wrong expected version then only means the stream
	// moved, and Append looks again.
	pinned bool
	// check tells that on a wrong expected version the events stored from
	// revision checkFrom on must be compared with the batch, as the server
	// reports a partial overlap at that place as a wrong expected version.
	check     bool
	checkFrom uint64
}

// planWrite decides how to write a batch none of whose ids is in the tail t
// of the stream, given the caller's expectation. It returns a conflict
// instead when t already shows that the expectation fails, or the plan.
// attempt counts from 1.
func planWrite(stream string, expected eventstore.ExpectedRevision, t tail, attempt int) (writePlan, *eventstore.ConflictError) {
	conflict := &eventstore.ConflictError{
		Stream: stream, Expected: expected,
		ActualKnown: true, Exists: t.exists, Actual: t.last,
	}
	if !t.exists {
		conflict.Actual = 0
	}
	own := toExpectedRevision(expected)
	unpinned := attempt >= maxPinnedAttempts
	switch {
	case expected.IsAny():
		if unpinned || t.truncated {
			return writePlan{wire: own}, nil
		}
		return writePlan{wire: t.pin(), pinned: true}, nil
	case expected.IsStreamExists():
		if !t.exists {
			return writePlan{}, conflict
		}
		if unpinned {
			return writePlan{wire: own}, nil
		}
		return writePlan{wire: t.pin(), pinned: true}, nil
	case expected.IsNoStream():
		if t.exists && t.first == 0 {
			return writePlan{}, conflict
		}
		// A missing stream, or one whose start lies below the window: the
		// server compares the batch with the stream's first events.
		return writePlan{wire: own, check: true, checkFrom: 0}, nil
	}
	rev, _ := expected.Revision()
	switch {
	case !t.exists:
		return writePlan{}, conflict
	case rev == t.last:
		return writePlan{wire: own, check: true, checkFrom: rev + 1}, nil
	case rev < t.last && rev+1 < t.first:
		// The batch would sit below the window Append read: let the
		// server compare it with the events stored after rev.
		return writePlan{wire: own, check: true, checkFrom: rev + 1}, nil
	default:
		return writePlan{}, conflict
	}
}
