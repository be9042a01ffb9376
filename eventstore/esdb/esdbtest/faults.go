package esdbtest

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Op names a kind of request a fault applies to.
type Op int

const (
	// OpAppend is an append to a stream.
	OpAppend Op = iota
	// OpRead is a read of a stream or of $all.
	OpRead
	// OpSubscribe is a subscription to $all, failing as it starts.
	OpSubscribe
)

// Fault is an answer the stand-in gives instead of serving a request.
type Fault struct {
	// Code and Message make the gRPC status.
	Code    codes.Code
	Message string
	// Trailer is sent with the status, as the server sends its "exception"
	// details.
	Trailer metadata.MD
}

// Unavailable is the server's answer while it is not ready (starting,
// shutting down, between leaders).
var Unavailable = Fault{Code: codes.Unavailable, Message: "Server Is Not Ready"}

// Unauthenticated is a secure server's answer to missing or wrong
// credentials.
var Unauthenticated = Fault{Code: codes.Unauthenticated, Message: "Bad Request"}

// AccessDenied is the server's answer to an account without the rights the
// request needs (reading $all takes $admins).
var AccessDenied = Fault{Code: codes.PermissionDenied, Message: "Access Denied",
	Trailer: metadata.Pairs("exception", "access-denied")}

// Fail makes the next n requests of kind op answer with f, after which the
// stand-in serves again. A negative n fails them until Fail is called again
// with n = 0.
func (s *Server) Fail(op Op, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case n == 0:
		delete(s.faults, op)
		delete(s.always, op)
	case n < 0:
		s.always[op] = f
	default:
		q := make([]Fault, n)
		for i := range q {
			q[i] = f
		}
		s.faults[op] = q
	}
}

// fault takes the fault due for a request of kind op, if any.
func (s *Server) fault(op Op) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.always[op]; ok {
		return f, true
	}
	q := s.faults[op]
	if len(q) == 0 {
		return Fault{}, false
	}
	f := q[0]
	s.faults[op] = q[1:]
	return f, true
}

// answer sends f's trailer and returns its status.
func answer(ctx context.Context, f Fault) error {
	if len(f.Trailer) > 0 {
		_ = grpc.SetTrailer(ctx, f.Trailer)
	}
	return status.Error(f.Code, f.Message)
}

// notLeader is a follower's answer to a write: NotFound with the leader's
// endpoint in the trailers (RpcExceptions.LeaderInfo).
func (s *Server) notLeader(ctx context.Context) error {
	host, port := s.leaderEndpoint()
	return answer(ctx, Fault{Code: codes.NotFound, Message: "Leader info available",
		Trailer: metadata.Pairs("exception", "not-leader", "leader-endpoint-host", host, "leader-endpoint-port", port)})
}

// maxAppendSizeExceeded is the server's answer to a batch over its limit
// (RpcExceptions.MaxAppendSizeExceeded).
func maxAppendSizeExceeded(ctx context.Context, limit int) error {
	return answer(ctx, Fault{Code: codes.InvalidArgument, Message: "Maximum Append Size of " + itoa(limit) + " Exceeded.",
		Trailer: metadata.Pairs("exception", "maximum-append-size-exceeded", "maximum-append-size", itoa(limit))})
}
