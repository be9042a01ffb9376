package fulfillment

import (
	"time"

	"github.com/orderflow/orderflow/write/domain"
)

// ActionKind says what the saga does next.
type ActionKind int

// What the saga can do next.
const (
	// Nothing: the saga has not started or has finished.
	Nothing ActionKind = iota
	// Wait until Action.Until: a parked or failed step's retry time, or
	// the payment deadline when that comes first.
	Wait
	// Run the step Action.Step.
	Run
	// BeginCompensation: record that the saga compensates, for Reason.
	BeginCompensation
	// Complete: every forward step is done.
	Complete
	// FinishCompensation: every compensating step is done.
	FinishCompensation
)

// Action is the saga's next move.
type Action struct {
	Kind ActionKind
	// Step is the step to run (Run).
	Step Step
	// Quantity is how many of the line of a per-line step (Step.SKU).
	Quantity int
	// Until is when a waiting saga may go on (Wait).
	Until time.Time
	// Reason is why the saga compensates (BeginCompensation).
	Reason string
}

// Name names the action for people.
func (a Action) Name() string {
	switch a.Kind {
	case Run:
		return a.Step.String()
	case Wait:
		return "waiting"
	case BeginCompensation:
		return "compensating"
	case Complete:
		return "completing"
	case FinishCompensation:
		return "compensated"
	default:
		return "none"
	}
}

// Next decides the saga's next move at time now. It is pure: the runner
// performs the action and records its outcome, and a crash in between
// makes it decide the same action again, whose command is idempotent.
//
// Forwards: reserve every line, confirm the order, request the payment,
// charge it at the provider, record the capture, mark the order paid,
// schedule the shipment, complete. Compensating, in reverse: cancel the
// shipment, refund any charge, release every reservation, cancel the
// order, finish.
//
// The payment deadline is the provider's: a payment not captured by the
// deadline starts the compensation only when the provider is to blame,
// that is when the last charge attempt failed at the provider (parked with
// CauseProvider: circuit open, or every attempt failed). A saga that is
// late because of our own queue (steps before the charge still to run, a
// charge waiting for a slot of the bulkhead) goes on past the deadline:
// its charge is tried, and the deadline bites only if that fails at the
// provider. Slowness at the door is the load shedder's to prevent.
func Next(s State, now time.Time) Action {
	if !s.Started() || s.Finished() {
		return Action{Kind: Nothing}
	}
	paymentDue := !s.Compensating && !s.Done[Step{Kind: StepCharge}] && !s.PaymentDeadline.IsZero()
	if paymentDue && s.ProviderFailing && !now.Before(s.PaymentDeadline) {
		return Action{Kind: BeginCompensation, Reason: "payment not captured by " + s.PaymentDeadline.UTC().Format(time.RFC3339)}
	}
	if now.Before(s.RetryAt) {
		until := s.RetryAt
		if paymentDue && s.ProviderFailing && s.PaymentDeadline.Before(until) {
			until = s.PaymentDeadline
		}
		return Action{Kind: Wait, Until: until}
	}
	if s.Compensating {
		return compensate(s)
	}
	for _, l := range s.Lines {
		if !s.Done[ReserveStep(l.SKU)] {
			return Action{Kind: Run, Step: ReserveStep(l.SKU), Quantity: l.Quantity}
		}
	}
	for _, kind := range []StepKind{StepConfirm, StepRequestPayment, StepCharge, StepRecordCapture, StepMarkPaid, StepScheduleShipment} {
		if step := (Step{Kind: kind}); !s.Done[step] {
			return Action{Kind: Run, Step: step}
		}
	}
	return Action{Kind: Complete}
}

func compensate(s State) Action {
	if s.Done[Step{Kind: StepScheduleShipment}] && !s.Done[Step{Kind: StepCancelShipment}] {
		return Action{Kind: Run, Step: Step{Kind: StepCancelShipment}}
	}
	if s.ChargeAttempted && !s.Done[Step{Kind: StepRefund}] {
		return Action{Kind: Run, Step: Step{Kind: StepRefund}}
	}
	// Every line is released, not only those whose reservation was
	// recorded: a reservation made by a driver that crashed (or lost its
	// lease) before recording it must not leak. Releasing a line that holds
	// nothing changes nothing.
	for i := len(s.Lines) - 1; i >= 0; i-- {
		l := s.Lines[i]
		if !s.Done[ReleaseStep(l.SKU)] {
			return Action{Kind: Run, Step: ReleaseStep(l.SKU), Quantity: l.Quantity}
		}
	}
	if !s.Done[Step{Kind: StepCancelOrder}] {
		return Action{Kind: Run, Step: Step{Kind: StepCancelOrder}}
	}
	return Action{Kind: FinishCompensation, Reason: s.Reason}
}

// Event returns the event that records action a, taken at now, when a
// records the saga's own decision (BeginCompensation, Complete,
// FinishCompensation); nil for any other action, whose outcome only
// performing it tells.
func (a Action) Event(now time.Time) domain.Event {
	switch a.Kind {
	case BeginCompensation:
		return CompensationStarted{V: compensationStartedV, Reason: a.Reason, At: now}
	case Complete:
		return Completed{V: completedV, At: now}
	case FinishCompensation:
		return Compensated{V: compensatedV, Reason: a.Reason, At: now}
	}
	return nil
}
