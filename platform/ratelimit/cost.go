package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/orderflow/orderflow/platform/problem"
)

// ErrLimitExceeded is wrapped by every *ExceededError.
var ErrLimitExceeded = errors.New("rate limit exceeded")

// ProblemRateLimited is the type URI of the 429 problem; its last segment
// is also the body's code member.
const ProblemRateLimited = "urn:orderflow:problem:rate_limited"

// Cost says that the request ctx belongs to is worth n units in all, for
// a handler that learns what a request costs only once it has read it: a
// GraphQL document that may cost 12 units calls Cost(ctx, 12). The
// request was charged one unit by the middleware; Cost charges the units
// between what the request was charged so far and n, so calling it again
// with the same n charges nothing more, and with a larger n only the
// difference. It is safe to call from several goroutines of one request.
//
// Cost returns nil when the client had the units (they are charged now),
// and when n is not more than the request was charged already or ctx did
// not pass through a Limiter's Middleware (there is nothing to charge).
// Otherwise it charges what the client had left, so that a request worth
// more than that still spends the budget and the client's next requests
// are refused at the middleware, before anything is read; and it returns
// an *ExceededError (its Cost set when n is more than the whole budget,
// a request that can never be served). The handler should not do the
// work and answer with its WriteProblem, as the middleware does, or with
// an error of its own protocol.
//
// The X-RateLimit-Remaining header the middleware set is not updated:
// Cost does not touch the response.
func Cost(ctx context.Context, n int) error {
	c, ok := ctx.Value(chargesKey{}).(*charges)
	if !ok {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n <= c.charged {
		return nil
	}
	header, ok := c.limiter.take(ctx, c.key, n-c.charged)
	if !ok {
		if left, err := strconv.Atoi(header.Get("X-RateLimit-Remaining")); err == nil && left > 0 {
			if _, ok := c.limiter.take(ctx, c.key, left); ok {
				c.charged += left
			}
		}
		e := c.limiter.exceeded(header)
		if n > e.Limit {
			e.Cost = n
		}
		return e
	}
	c.charged = n
	return nil
}

// ExceededError is a charge refused because the client spent its units.
type ExceededError struct {
	// Limit is the client's units per minute in this process: its share
	// when the limit is shared with other processes (Config.Replicas).
	Limit int
	// RetryAfter is when the client should try again.
	RetryAfter time.Duration
	// Cost, when set, is what the refused request was worth: more than
	// Limit, so that it will never be served as it is.
	Cost int
	// header holds the rate limit headers of the refusal.
	header http.Header
}

// Error says that the limit was exceeded.
func (e *ExceededError) Error() string {
	return fmt.Sprintf("%v: %d units a minute; retry after %s", ErrLimitExceeded, e.Limit, e.RetryAfter)
}

// Unwrap returns ErrLimitExceeded.
func (e *ExceededError) Unwrap() error { return ErrLimitExceeded }

// WriteProblem answers 429 Too Many Requests: problem+json with code
// rate_limited, Retry-After in whole seconds and the rate limit headers.
func (e *ExceededError) WriteProblem(w http.ResponseWriter) {
	copyHeader(w.Header(), e.header)
	seconds := int((e.RetryAfter + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(seconds))
	detail := fmt.Sprintf("this client has used its %d requests a minute; retry after %d seconds", e.Limit, seconds)
	if e.Cost > e.Limit {
		detail = fmt.Sprintf("this request is worth %d units, more than the %d a minute this client may spend; ask for less in one request", e.Cost, e.Limit)
	}
	problem.Write(w, problem.Details{
		Type:   ProblemRateLimited,
		Status: http.StatusTooManyRequests,
		Detail: detail,
		Extensions: map[string]any{
			"code": "rate_limited",
		},
	})
}
