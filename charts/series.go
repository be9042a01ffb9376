package charts

import (
	"strings"
	"time"
)

// The series of a Chart. Counts are per interval; gauges are the state at
// the end of the interval.
const (
	// OrdersPlaced counts the orders placed (the orders read model's
	// placed_at).
	OrdersPlaced = "orders.placed"
	// OrdersCompleted counts the orders whose fulfillment saga completed:
	// paid, their shipment scheduled.
	OrdersCompleted = "orders.completed"
	// OrdersCancelled counts the orders whose fulfillment saga
	// compensated.
	OrdersCancelled = "orders.cancelled"
	// StepsParked and StepsFailed count the saga steps recorded as parked
	// (to be retried) and failed.
	StepsParked = "saga.parked"
	StepsFailed = "saga.failed"
	// PaymentAnswered counts the payment client's calls that got the
	// provider's final answer (a charge, a refund, a decline, a refusal);
	// PaymentRejectedByBreaker those the open circuit refused;
	// PaymentRejectedByBulkhead those that waited for a slot in vain;
	// PaymentUnavailable those that ran out of retries. PaymentRetries
	// counts the retries scheduled. All summed over the saga processes.
	PaymentAnswered           = "payment.answered"
	PaymentRejectedByBreaker  = "payment.rejected_by_breaker"
	PaymentRejectedByBulkhead = "payment.rejected_by_bulkhead"
	PaymentUnavailable        = "payment.unavailable"
	PaymentRetries            = "payment.retries"
	// CircuitClosed, CircuitHalfOpen and CircuitOpen are gauges: how many
	// live saga processes' payment clients had their circuit breaker in
	// that state.
	CircuitClosed   = "circuit.closed"
	CircuitHalfOpen = "circuit.half_open"
	CircuitOpen     = "circuit.open"
	// LagPrefix + a projection's name is a gauge: how many seconds the
	// projection was behind the log (projections.Status.Lag).
	LagPrefix = "lag."
)

// countSeries are the recorded series that count.
var countSeries = []string{PaymentAnswered, PaymentRejectedByBreaker, PaymentRejectedByBulkhead, PaymentUnavailable, PaymentRetries}

// sampledSeries are the recorded series every Chart has, whether or not
// they were recorded in its window; lag series come on top.
var sampledSeries = append(append([]string{}, countSeries...), CircuitClosed, CircuitHalfOpen, CircuitOpen)

// additive reports whether a recorded series counts (its samples in one
// interval add up) rather than measures a state.
func additive(series string) bool { return strings.HasPrefix(series, "payment.") }

// Defaults.
const (
	// DefaultStep is the interval of the series: the recorder samples once
	// per step, and a Chart counts per step.
	DefaultStep = 5 * time.Second
	// DefaultRetention is how long samples are kept and how far back a
	// Chart may reach.
	DefaultRetention = 2 * time.Hour
	// DefaultWindow is the window of a Chart when none is asked for.
	DefaultWindow = time.Hour
	// MaxBuckets bounds a Chart's intervals, whatever Step and Retention.
	MaxBuckets = 1440
)

// bucketOf returns the start of the interval of length step that t falls
// in, intervals counted from the Unix epoch (as SQL's date_bin with
// origin 'epoch' does).
func bucketOf(t time.Time, step time.Duration) time.Time {
	n := t.UnixNano()
	s := step.Nanoseconds()
	b := n - ((n%s)+s)%s
	return time.Unix(0, b).UTC()
}
