package esdb

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/orderflow/orderflow/eventstore"
)

// isCode reports whether err is, or wraps, a client error with code.
func isCode(err error, code esdb.ErrorCode) bool {
	var e *esdb.Error
	return errors.As(err, &e) && e.IsErrorCode(code)
}

// currentRevision matches the actual revision in the client's wrong
// expected version message: "... expecting '1' but got '2'" or "... but got
// 'no_stream'". The client exposes it nowhere else.
var currentRevision = regexp.MustCompile(`but got '([^']*)'`)

// conflictFromError turns a wrong-expected-version error of the client into
// the port's *ConflictError for an append to stream that expected expected.
// It returns nil when err is anything else. The actual revision is filled
// in when the client's message names it.
func conflictFromError(stream string, expected eventstore.ExpectedRevision, err error) *eventstore.ConflictError {
	var e *esdb.Error
	if !errors.As(err, &e) || !e.IsErrorCode(esdb.ErrorCodeWrongExpectedVersion) {
		return nil
	}
	c := &eventstore.ConflictError{Stream: stream, Expected: expected}
	if e.Err() == nil {
		return c
	}
	m := currentRevision.FindStringSubmatch(e.Err().Error())
	if m == nil {
		return c
	}
	if m[1] == "no_stream" {
		c.ActualKnown = true
		return c
	}
	// The client formats the revision with strconv.Itoa(int(rev)).
	if n, err := strconv.ParseInt(m[1], 10, 64); err == nil && n >= 0 {
		c.ActualKnown, c.Exists, c.Actual = true, true, uint64(n)
	} else if err == nil && n == -1 {
		c.ActualKnown = true
	}
	return c
}

// streamError maps an error of a read of stream onto the port: a stream
// without events or a deleted one wraps eventstore.ErrStreamNotFound (the
// client reports either on the first Recv, not from ReadStream), a server
// that cannot be reached now eventstore.ErrUnavailable, and a read cut
// short by its context returns the context's error. op is the lowercase
// context for the message, e.g. "read stream order-1".
func streamError(ctx context.Context, op string, err error) error {
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", op, ctx.Err())
	case isCode(err, esdb.ErrorCodeResourceNotFound):
		return fmt.Errorf("%s: %w", op, eventstore.ErrStreamNotFound)
	case isCode(err, esdb.ErrorCodeStreamDeleted):
		return fmt.Errorf("%s: stream is deleted: %w (%w)", op, eventstore.ErrStreamNotFound, err)
	case isUnavailable(err):
		return fmt.Errorf("%s: %w: %w", op, eventstore.ErrUnavailable, err)
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
}

// isNotFound reports whether err says the stream has no events, whether it
// never had any or was soft-deleted.
func isNotFound(err error) bool {
	return isCode(err, esdb.ErrorCodeResourceNotFound)
}

// isFatal reports whether a subscription failing with err should end
// instead of subscribing again: retrying cannot fix credentials, access
// rights or a server that lacks the feature.
func isFatal(err error) bool {
	return isCode(err, esdb.ErrorCodeUnauthenticated) ||
		isCode(err, esdb.ErrorCodeAccessDenied) ||
		isCode(err, esdb.ErrorCodeUnsupportedFeature)
}

// isUnavailable reports whether err says the server cannot serve for now:
// gRPC Unavailable, a closed connection, a follower asked for the leader's
// work during an election, a server-side deadline.
func isUnavailable(err error) bool {
	return isCode(err, esdb.ErrorUnavailable) || isCode(err, esdb.ErrorCodeConnectionClosed) ||
		isCode(err, esdb.ErrorCodeNotLeader) || isCode(err, esdb.ErrorCodeDeadlineExceeded)
}
