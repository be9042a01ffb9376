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
	// ErrTooLarge means the batch is larger than the event store takes in
	// one append (EventStoreDB's maximum append size). Retrying it as it
	// is cannot succeed; smaller batches may.
	ErrTooLarge = errors.New("batch exceeds the event store's maximum append size")
	// ErrSubscriptionClosed means the subscription has ended.
	ErrSubscriptionClosed = errors.New("subscription closed")
	// ErrUnavailable is wrapped by an adapter's errors when its server
	// cannot be reached for now (a dropped connection, a leader election,
	// a restart, a store closing on shutdown): the same call may succeed
	// in a moment, here or on another process. Its Unavailable method
	// returns true, which problem.Transient recognises.
	ErrUnavailable error = unavailableError{}
)

// unavailableError is the type of ErrUnavailable.
type unavailableError struct{}

func (unavailableError) Error() string { return "event store unavailable" }

// Unavailable returns true: the error is a passing outage.
func (unavailableError) Unavailable() bool { return true }

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
