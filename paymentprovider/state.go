package paymentprovider

import (
	"time"

	"github.com/failsafe-go/failsafe-go/circuitbreaker"
)

// BreakerState is the state of the client's circuit breaker.
type BreakerState string

// Circuit breaker states.
const (
	// BreakerClosed lets calls through.
	BreakerClosed BreakerState = "closed"
	// BreakerOpen refuses calls with ErrCircuitOpen.
	BreakerOpen BreakerState = "open"
	// BreakerHalfOpen lets a trial call through; its outcome closes or
	// opens the circuit.
	BreakerHalfOpen BreakerState = "half-open"
)

// State is a snapshot of the client's resilience machinery, for metrics
// and the operator console.
// The counters count since New.
type State struct {
	// Breaker is the circuit breaker's state.
	Breaker BreakerState `json:"breaker"`
	// InFlight is the number of HTTP requests to the provider in flight;
	// MaxConcurrent the bulkhead's capacity.
	InFlight      int64 `json:"inFlight"`
	MaxConcurrent int   `json:"maxConcurrent"`
	// Waiting is the number of requests waiting for a slot of the
	// bulkhead now.
	Waiting int64 `json:"waiting"`
	// LatencyMs is how long the provider takes to answer, a moving average
	// in milliseconds of the recent answers; 0 before the first.
	LatencyMs float64 `json:"latencyMs"`
	// Calls counts calls of Charge, LookupCharge and Refund that got past
	// their argument checks.
	Calls uint64 `json:"calls"`
	// Answered counts calls that got the provider's final answer: a 2xx,
	// or a 4xx other than 429 (a decline, a refusal).
	Answered uint64 `json:"answered"`
	// Attempts counts HTTP requests sent to the provider, lookups after an
	// ambiguous failure included.
	Attempts uint64 `json:"attempts"`
	// Retries counts retries scheduled.
	Retries uint64 `json:"retries"`
	// RejectedByBreaker counts calls refused by the open circuit.
	RejectedByBreaker uint64 `json:"rejectedByBreaker"`
	// RejectedByBulkhead counts calls refused by the full bulkhead: they
	// waited Config.MaxWait for a slot in vain.
	RejectedByBulkhead uint64 `json:"rejectedByBulkhead"`
	// Unavailable counts calls that ran out of retries.
	Unavailable uint64 `json:"unavailable"`
	// RecentFailures are the last attempts the provider failed (no
	// answer, a 5xx or a 429), newest first; at most 20.
	RecentFailures []Failure `json:"recentFailures"`
}

// State returns the client's state now. It is safe to call at any time.
func (c *Client) State() State {
	var b BreakerState
	switch c.breaker.State() {
	case circuitbreaker.OpenState:
		b = BreakerOpen
	case circuitbreaker.HalfOpenState:
		b = BreakerHalfOpen
	default:
		b = BreakerClosed
	}
	return State{
		Breaker:            b,
		InFlight:           c.counters.inFlight.Load(),
		MaxConcurrent:      c.capacity,
		Waiting:            c.slots.waiting.Load(),
		LatencyMs:          float64(c.latency.get()) / float64(time.Millisecond),
		Calls:              c.counters.calls.Load(),
		Answered:           c.counters.answered.Load(),
		Attempts:           c.counters.attempts.Load(),
		Retries:            c.counters.retries.Load(),
		RejectedByBreaker:  c.counters.rejectedByBreaker.Load(),
		RejectedByBulkhead: c.counters.rejectedByBulkhead.Load(),
		Unavailable:        c.counters.unavailable.Load(),
		RecentFailures:     c.failures.recent(),
	}
}
