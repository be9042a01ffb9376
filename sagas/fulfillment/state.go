package fulfillment

import (
	"time"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/money"
)

// Outcome is how a step ended.
type Outcome string

// Outcomes of a step.
const (
	// Done: the step did what it should.
	Done Outcome = "done"
	// Rejected: a business refusal (out of stock, declined, address not
	// served); the saga compensates.
	Rejected Outcome = "rejected"
	// Parked: the step could not run now (the payment provider's circuit is
	// open); it is tried again at RetryAt.
	Parked Outcome = "parked"
	// Failed: an unexpected error; the step is tried again at RetryAt.
	Failed Outcome = "failed"
)

// Cause is why a step was parked.
type Cause string

// Causes of a parked step.
const (
	// CauseProvider: the payment provider failed (its circuit is open, or
	// every attempt failed). Only this lets the payment deadline cancel an
	// order.
	CauseProvider Cause = "provider"
	// CauseQueue: our own queue to the provider (the client's bulkhead)
	// was full for as long as a call may wait; nothing was sent.
	CauseQueue Cause = "queue"
)

// HistoryEntry is one line of a saga's history, for people. Step is a
// step's stored form (Step.String), or what else happened: "started",
// "cancel_requested", "compensation_started", "completed", "compensated".
type HistoryEntry struct {
	Step    string
	Outcome Outcome
	Detail  string
	At      time.Time
}

// State is a saga folded from its stream.
type State struct {
	OrderID         string
	CustomerID      string
	Lines           []Line
	Total           money.Money
	Address         Address
	PaymentDeadline time.Time
	StartedAt       time.Time

	// Done holds the steps that are done.
	Done map[Step]bool
	// ChargeAttempted is set once the provider may have been asked to
	// charge: compensation must then look for a charge to refund.
	ChargeAttempted bool
	ChargeID        string
	// RetryAt is when a parked or failed step may run again.
	RetryAt time.Time
	// Attempts counts the parked or failed runs since the last step that
	// ended; retries back off with it.
	Attempts int
	// LastError is the detail of the last step that did not succeed.
	LastError string
	// ProviderFailing is set while the last charge attempt that reached
	// the provider's side of the saga was a provider failure (parked with
	// CauseProvider), since ProviderFailingSince: the only case in which
	// the payment deadline compensates.
	ProviderFailing      bool
	ProviderFailingSince time.Time

	Compensating bool
	Reason       string
	Completed    bool
	Compensated  bool
	FinishedAt   time.Time

	History []HistoryEntry
	Version int64

	// Origin is where the saga came from, as its first event's metadata
	// says, and LastEventID the id of its last event, the cause of what it
	// records next. Evolve leaves them alone: whoever loads the saga from
	// its stream sets them.
	Origin      Origin
	LastEventID string
}

// Origin is the request that placed the order, as the saga's first event
// recorded it.
type Origin struct {
	// TraceParent and TraceState are its trace context: the saga's steps
	// continue that trace.
	TraceParent, TraceState string
	// CorrelationID is its correlation id.
	CorrelationID string
}

// CorrelationID is the correlation id of the request that placed the
// order, which the saga's commands and records carry on, so that one id
// finds the whole flow; the order id when the placement had none.
func (s State) CorrelationID() string {
	if s.Origin.CorrelationID != "" {
		return s.Origin.CorrelationID
	}
	return s.OrderID
}

// Started reports whether the saga exists.
func (s State) Started() bool { return s.OrderID != "" }

// Finished reports whether the saga has ended, either way.
func (s State) Finished() bool { return s.Completed || s.Compensated }

// Step returns the step the saga is at, for people: the next one it will
// run, "completed" or "compensated".
func (s State) Step(now time.Time) string {
	switch {
	case s.Completed:
		return "completed"
	case s.Compensated:
		return "compensated"
	}
	return Next(s, now).Name()
}

// Evolve applies one saga event to the state. It copies the maps it
// changes, so earlier states stay as they were.
func Evolve(s State, e domain.Event) State {
	switch e := e.(type) {
	case Started:
		s.OrderID, s.CustomerID, s.Lines, s.Total = e.OrderID, e.CustomerID, e.Lines, e.Total
		s.Address, s.PaymentDeadline, s.StartedAt = e.Address, e.PaymentDeadline, e.StartedAt
		s.History = append(s.History, HistoryEntry{Step: "started", Outcome: Done, At: e.StartedAt})
	case StepRecorded:
		s.History = append(s.History, HistoryEntry{Step: e.Step.String(), Outcome: e.Outcome, Detail: e.Detail, At: e.At})
		if e.Step == (Step{Kind: StepCharge}) {
			s.ChargeAttempted = true
			switch {
			case e.Outcome == Parked && e.Cause == CauseProvider:
				if !s.ProviderFailing {
					s.ProviderFailing, s.ProviderFailingSince = true, e.At
				}
			case e.Outcome == Parked && e.Cause == CauseQueue:
				// Nothing was sent: no news of the provider.
			default:
				s.ProviderFailing, s.ProviderFailingSince = false, time.Time{}
			}
		}
		s.RetryAt = time.Time{}
		switch e.Outcome {
		case Done:
			s.Attempts = 0
			done := make(map[Step]bool, len(s.Done)+1)
			for k, v := range s.Done {
				done[k] = v
			}
			done[e.Step] = true
			s.Done = done
			if e.ChargeID != "" {
				s.ChargeID = e.ChargeID
			}
		case Rejected:
			s.Attempts = 0
			s.LastError = e.Detail
			if !s.Compensating {
				s.Compensating, s.Reason = true, e.Step.String()+": "+e.Detail
			}
		case Parked, Failed:
			s.Attempts++
			s.LastError = e.Detail
			if e.RetryAt != nil {
				s.RetryAt = *e.RetryAt
			}
		}
	case CancelRequested:
		s.History = append(s.History, HistoryEntry{Step: "cancel_requested", Outcome: Done, Detail: e.Reason, At: e.At})
		if !s.Compensating {
			s.Compensating, s.Reason = true, "cancelled by the customer: "+e.Reason
			s.RetryAt = time.Time{}
		}
	case CompensationStarted:
		s.History = append(s.History, HistoryEntry{Step: "compensation_started", Outcome: Done, Detail: e.Reason, At: e.At})
		if !s.Compensating {
			s.Compensating, s.Reason = true, e.Reason
			s.RetryAt = time.Time{}
		}
	case Completed:
		s.Completed, s.FinishedAt = true, e.At
		s.History = append(s.History, HistoryEntry{Step: "completed", Outcome: Done, At: e.At})
	case Compensated:
		s.Compensated, s.FinishedAt = true, e.At
		s.History = append(s.History, HistoryEntry{Step: "compensated", Outcome: Done, Detail: e.Reason, At: e.At})
	default:
		return s
	}
	s.Version++
	return s
}
