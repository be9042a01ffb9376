package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/orderflow/orderflow/eventstore"
)

// isCode reports whether err is, or wraps, a client error with code, or a
// bare gRPC status the client would have given that code. The client hands
// out the gRPC error of a subscription that drops as it is, unconverted.
func isCode(err error, code esdb.ErrorCode) bool {
	c, ok := codeOf(err)
	return ok && c == code
}

// codeOf returns the client's error code for err: the code of an
// *esdb.Error, or for a bare gRPC status the code the client maps it to
// (its errToCode). It reports false for any other error.
func codeOf(err error) (esdb.ErrorCode, bool) {
	if err == nil {
		return 0, false
	}
	var e *esdb.Error
	if errors.As(err, &e) {
		return e.Code(), true
	}
	s, ok := status.FromError(err)
	if !ok {
		return 0, false
	}
	switch s.Code() {
	case codes.Unauthenticated:
		return esdb.ErrorCodeUnauthenticated, true
	case codes.Unimplemented:
		return esdb.ErrorCodeUnsupportedFeature, true
	case codes.NotFound:
		return esdb.ErrorCodeResourceNotFound, true
	case codes.PermissionDenied:
		return esdb.ErrorCodeAccessDenied, true
	case codes.DeadlineExceeded:
		return esdb.ErrorCodeDeadlineExceeded, true
	case codes.AlreadyExists:
		return esdb.ErrorCodeResourceAlreadyExists, true
	case codes.Aborted:
		return esdb.ErrorAborted, true
	case codes.Unavailable:
		return esdb.ErrorUnavailable, true
	}
	return esdb.ErrorCodeUnknown, true
}

// isTooLarge reports whether err is the server's refusal of a batch over
// its maximum append size, or of an event over its maximum event size:
// InvalidArgument, "Maximum Append Size of N Exceeded." or "... exceeds
// Maximum Append Event Size of N." The client keeps the trailers that name
// the limit to itself, and reports the status under ErrorCodeUnknown.
func isTooLarge(err error) bool {
	s, ok := status.FromError(err)
	return ok && s.Code() == codes.InvalidArgument && strings.Contains(s.Message(), "Maximum Append")
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
// short by its context returns the context's error, a batch over the
// server's maximum append size eventstore.ErrTooLarge. op is the lowercase
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
	case isTooLarge(err):
		return fmt.Errorf("%s: %w: %w", op, eventstore.ErrTooLarge, err)
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
// work (after the one retry on the leader, see withClient), the client's
// own deadline (10 s unless the connection string sets defaultDeadline)
// or the server's, or a call the server ended while the client was still
// sending it (see endedWhileSending).
func isUnavailable(err error) bool {
	return isCode(err, esdb.ErrorUnavailable) || isCode(err, esdb.ErrorCodeConnectionClosed) ||
		isCode(err, esdb.ErrorCodeNotLeader) || isCode(err, esdb.ErrorCodeDeadlineExceeded) ||
		endedWhileSending(err)
}

// endedWhileSending reports whether err is the client's "could not send
// append request" with io.EOF: the server answered, and ended the call,
// before the client had sent the whole batch (a server refusing at once,
// as one that is not ready does, races the client's sends). The client
// reports the EOF and drops the server's status, so the cause is unknown;
// but the batch never reached the server whole, so nothing was written,
// and a retry with the same event ids is safe.
func endedWhileSending(err error) bool {
	return errors.Is(err, io.EOF) && strings.Contains(err.Error(), "could not send append request")
}
