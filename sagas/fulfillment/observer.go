package fulfillment

import (
	"strings"
	"time"

	"github.com/orderflow/orderflow/write/domain"
)

// Observer learns what sagas did, for metrics. Its methods are called once
// the events they report are recorded, and must be fast and safe for
// concurrent use.
type Observer interface {
	// StepRecorded reports a step's outcome. step is the step's kind:
	// per-SKU steps ("reserve:SKU") are reported as "reserve" and
	// "release".
	StepRecorded(step string, outcome Outcome)
	// SagaFinished reports a saga that ended, "completed" or
	// "compensated", and how long it ran from its start.
	SagaFinished(outcome string, took time.Duration)
}

// stepKind is step without its SKU.
func stepKind(step string) string {
	kind, _, _ := strings.Cut(step, ":")
	return kind
}

// observe reports recorded events of the saga in s to the observer, if any.
func (r *Runner) observe(s State, events []domain.Event) {
	o := r.cfg.Observer
	if o == nil {
		return
	}
	for _, e := range events {
		switch e := e.(type) {
		case StepRecorded:
			o.StepRecorded(stepKind(e.Step), e.Outcome)
		case Completed:
			o.SagaFinished("completed", e.At.Sub(s.StartedAt))
		case Compensated:
			o.SagaFinished("compensated", e.At.Sub(s.StartedAt))
		}
	}
}
