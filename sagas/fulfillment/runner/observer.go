package runner

import (
	"context"
	"time"

	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/domain"
)

// Observer learns what sagas did, for metrics. Its methods are called once
// the events they report are recorded, and must be fast and safe for
// concurrent use.
type Observer interface {
	// StepRecorded reports the outcome of a step of kind kind.
	StepRecorded(kind fulfillment.StepKind, outcome fulfillment.Outcome)
	// SagaFinished reports a saga that ended, "completed" or
	// "compensated", and how long it ran from its start.
	SagaFinished(outcome string, took time.Duration)
	// DeadlinePassed reports a saga that began compensating because its
	// payment deadline passed while the provider failed.
	DeadlinePassed()
}

// observe reports recorded events of the saga in s to the observer, if
// any, and gives each give-up one WARN line: a step parked or failed
// (tried again later) and a payment deadline that made the saga
// compensate, with the order, the correlation id and the reason.
func (r *Runner) observe(ctx context.Context, s fulfillment.State, events []domain.Event) {
	o := r.cfg.Observer
	for _, e := range events {
		switch e := e.(type) {
		case fulfillment.StepRecorded:
			if e.Outcome == fulfillment.Parked || e.Outcome == fulfillment.Failed {
				var retryAt string
				if e.RetryAt != nil {
					retryAt = e.RetryAt.UTC().Format(time.RFC3339Nano)
				}
				r.cfg.Logger.WarnContext(ctx, "fulfillment step "+string(e.Outcome)+"; it will be retried",
					"order", s.OrderID, "correlation_id", s.CorrelationID(), "step", e.Step.String(), "cause", string(e.Cause),
					"reason", e.Detail, "retry_at", retryAt, "attempts", s.Attempts)
			}
			if o != nil {
				o.StepRecorded(e.Step.Kind, e.Outcome)
			}
		case fulfillment.CompensationStarted:
			// Next starts a compensation of its own only at the payment
			// deadline.
			r.cfg.Logger.WarnContext(ctx, "fulfillment saga cancels the order: payment deadline passed while the provider failed",
				"order", s.OrderID, "correlation_id", s.CorrelationID(), "reason", e.Reason, "last_error", s.LastError,
				"provider_failing_since", s.ProviderFailingSince.UTC().Format(time.RFC3339Nano))
			if o != nil {
				o.DeadlinePassed()
			}
		case fulfillment.Completed:
			if o != nil {
				o.SagaFinished("completed", e.At.Sub(s.StartedAt))
			}
		case fulfillment.Compensated:
			if o != nil {
				o.SagaFinished("compensated", e.At.Sub(s.StartedAt))
			}
		}
	}
}
