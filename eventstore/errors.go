package eventstore

import (
	"errors"
	"fmt"
)

var (
	// ErrWrongExpectedRevision is matched by every *ConflictError.
	ErrWrongExpectedRevision = errors.New("wrong expected revision")
	// ErrStreamNotFound means the stream has no events.
	ErrStreamNotFound = errors.New("stream not found")
	// ErrPartialOverlap means some, not all, of a batch's event ids are
	// already stored, or they are stored elsewhere than the batch says.
	ErrPartialOverlap = errors.New("batch partially overlaps stored events")
	// ErrInvalid means the request itself is malformed; retrying it cannot
	// succeed.
	ErrInvalid = errors.New("invalid event-store request")
	// ErrSubscriptionClosed means the subscription has ended.
	ErrSubscriptionClosed = errors.New("subscription closed")
)

// ConflictError is returned by Append when the stream is not in the expected
// state. errors.Is(err, ErrWrongExpectedRevision) matches it.
type ConflictError struct {
	Stream   string
	Expected ExpectedRevision
	// ActualKnown tells whether Actual and Exists are known.
	ActualKnown bool
	// Exists tells whether the stream had events.
	Exists bool
	// Actual is the revision of the stream's last event when Exists.
	Actual uint64
}

// Error describes the conflict in words.
func (e *ConflictError) Error() string {
	actual := "unknown"
	switch {
	case e.ActualKnown && e.Exists:
		actual = fmt.Sprintf("revision %d", e.Actual)
	case e.ActualKnown:
		actual = "no stream"
	}
	return fmt.Sprintf("append to %s: expected %s, stream is at %s: %s", e.Stream, e.Expected, actual, ErrWrongExpectedRevision)
}

// Is makes errors.Is(err, ErrWrongExpectedRevision) true.
func (e *ConflictError) Is(target error) bool { return target == ErrWrongExpectedRevision }
