package fulfillment

import (
	"context"
	"time"

	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/domain"
)

// sagas is the saga as an aggregate: its state folded from its stream.
var sagas = command.Aggregate[State]{Category: Category, Evolve: Evolve, Decode: Decode}

// maxStepsPerDrive bounds one Drive; a saga with more to do is woken again.
const maxStepsPerDrive = 64

// Drive runs the saga of order id as far as it can go now: every step it
// can take, each recorded in the saga's stream with the revision it saw.
// A saga that must wait is parked in sagas.active until its retry time or
// payment deadline; a finished one is removed from it. Drive is safe to
// call again at any time, from any process.
func (r *Runner) Drive(ctx context.Context, id string) error {
	for range maxStepsPerDrive {
		var (
			state  State
			action Action
		)
		_, err := command.Execute(ctx, r.handler, sagas, id, command.Meta{CorrelationID: id, UserID: "fulfillment"},
			func(s State, now time.Time) ([]domain.Event, error) {
				state, action = s, Next(s, now)
				switch action.Kind {
				case Run:
					return []domain.Event{r.steps.perform(ctx, s, action, now)}, nil
				case BeginCompensation:
					return []domain.Event{CompensationStarted{V: compensationStartedV, Reason: action.Reason, At: now}}, nil
				case Complete:
					return []domain.Event{Completed{V: completedV, At: now}}, nil
				case FinishCompensation:
					return []domain.Event{Compensated{V: compensatedV, Reason: action.Reason, At: now}}, nil
				default:
					return nil, nil
				}
			})
		if err != nil {
			return wrapf(err, "drive saga %s", id)
		}
		switch action.Kind {
		case Nothing:
			if state.Started() {
				return r.forget(ctx, id)
			}
			return nil // cancelled before it started: Started will wake it
		case Wait:
			until := action.Until
			if !state.Compensating && !state.Done[StepCharge] && state.PaymentDeadline.Before(until) {
				until = state.PaymentDeadline
			}
			return r.park(ctx, id, until)
		}
	}
	return r.park(ctx, id, r.cfg.Now())
}
