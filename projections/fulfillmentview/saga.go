package fulfillmentview

import (
	"time"

	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/domain"
)

// States of a saga, as the view shows them.
const (
	StateRunning      = "RUNNING"
	StateCompensating = "COMPENSATING"
	StateCompleted    = "COMPLETED"
	StateCompensated  = "COMPENSATED"
)

// sagaEvent is one event of a saga's stream.
type sagaEvent struct {
	seq      int64
	event    domain.Event
	recorded time.Time
}

// row is where a saga stands: a row of fulfillments.
type row struct {
	customerID, state, step string
	lastError, reason       *string
	deadline, retryAt       *time.Time
	startedAt, updatedAt    time.Time
	revision                int64
}

// summarize describes the saga folded from its events, the last of which
// (by stream revision) is last.
func summarize(s fulfillment.State, last sagaEvent) row {
	r := row{
		customerID: s.CustomerID,
		state:      stateOf(s),
		step:       s.Step(last.recorded),
		lastError:  nonEmpty(s.LastError),
		reason:     nonEmpty(s.Reason),
		retryAt:    nonZero(s.RetryAt),
		startedAt:  s.StartedAt,
		updatedAt:  last.recorded,
		revision:   last.seq,
	}
	if r.state == StateRunning && !s.Done[fulfillment.Step{Kind: fulfillment.StepCharge}] {
		r.deadline = nonZero(s.PaymentDeadline)
	}
	return r
}

// stateOf names the state of saga s.
func stateOf(s fulfillment.State) string {
	switch {
	case s.Completed:
		return StateCompleted
	case s.Compensated:
		return StateCompensated
	case s.Compensating:
		return StateCompensating
	}
	return StateRunning
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nonZero(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
