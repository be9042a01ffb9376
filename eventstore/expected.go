package eventstore

import "fmt"

// ExpectedRevision is the state a stream must be in for an Append to
// proceed. Use Any, NoStream, StreamExists or Exact.
type ExpectedRevision struct {
	kind     expectedKind
	revision uint64
}

type expectedKind uint8

const (
	kindAny expectedKind = iota
	kindNoStream
	kindStreamExists
	kindExact
)

var (
	// Any appends whatever the state of the stream.
	Any = ExpectedRevision{kind: kindAny}
	// NoStream appends only if the stream has no events.
	NoStream = ExpectedRevision{kind: kindNoStream}
	// StreamExists appends only if the stream has at least one event.
	StreamExists = ExpectedRevision{kind: kindStreamExists}
)

// Exact appends only if the last event of the stream has revision rev.
func Exact(rev uint64) ExpectedRevision {
	return ExpectedRevision{kind: kindExact, revision: rev}
}

// IsAny reports whether e is Any.
func (e ExpectedRevision) IsAny() bool { return e.kind == kindAny }

// IsNoStream reports whether e is NoStream.
func (e ExpectedRevision) IsNoStream() bool { return e.kind == kindNoStream }

// IsStreamExists reports whether e is StreamExists.
func (e ExpectedRevision) IsStreamExists() bool { return e.kind == kindStreamExists }

// Revision returns the exact revision e expects and true, or false when e is
// not an exact revision.
func (e ExpectedRevision) Revision() (uint64, bool) {
	return e.revision, e.kind == kindExact
}

// Allows reports whether a stream whose last revision is actual (or that
// does not exist, when exists is false) satisfies e.
func (e ExpectedRevision) Allows(actual uint64, exists bool) bool {
	switch e.kind {
	case kindNoStream:
		return !exists
	case kindStreamExists:
		return exists
	case kindExact:
		return exists && actual == e.revision
	default:
		return true
	}
}

// String returns "any", "no stream", "stream exists" or the revision.
func (e ExpectedRevision) String() string {
	switch e.kind {
	case kindNoStream:
		return "no stream"
	case kindStreamExists:
		return "stream exists"
	case kindExact:
		return fmt.Sprintf("revision %d", e.revision)
	default:
		return "any"
	}
}
