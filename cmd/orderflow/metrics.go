package main

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/paymentprovider"
	"github.com/orderflow/orderflow/platform/metrics"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
)

// sagaObserver reports the fulfillment saga to the saga metrics.
type sagaObserver struct{ m *metrics.Sagas }

func (o sagaObserver) StepRecorded(kind fulfillment.StepKind, outcome fulfillment.Outcome) {
	o.m.Step(fulfillment.Category, string(kind), string(outcome))
}

func (o sagaObserver) SagaFinished(outcome string, took time.Duration) {
	o.m.Finished(fulfillment.Category, outcome, took)
}

func (o sagaObserver) DeadlinePassed() {
	o.m.DeadlinePassed(fulfillment.Category)
}

// projectionStates are the states a projection's state gauge has a series
// for: one of them is 1, the others 0.
var projectionStates = []projections.State{
	projections.StateLive, projections.StateCatchingUp, projections.StateRebuilding,
	projections.StateFailed, projections.StateStopped,
}

// projectionMetrics reads every projection's status when Prometheus
// scrapes: how far behind the head it is, its lag, rate, dead letters,
// state and the progress of a rebuild.
func projectionMetrics(m *projections.Manager) *metrics.Scraped {
	return metrics.NewScraped([]metrics.Family{
		{Name: "projection_behind_events", Help: "Events between a projection's checkpoint and the head of the log (counted up to 10000).", Labels: []string{"projection"}},
		{Name: "projection_lag_seconds", Help: "How long ago the last event a projection applied was recorded, while it is behind; 0 when caught up.", Labels: []string{"projection"}},
		{Name: "projection_events_per_second", Help: "Events per second a projection's owner applied over its recent window.", Labels: []string{"projection"}},
		{Name: "projection_dead_letters", Help: "Events a projection's live generation parked as dead letters.", Labels: []string{"projection"}},
		{Name: "projection_state", Help: "1 for a projection's current state (live, catching up, rebuilding, failed, stopped), 0 for the others.", Labels: []string{"projection", "state"}},
		{Name: "projection_rebuild_done_events", Help: "Events a rebuild in progress has replayed.", Labels: []string{"projection"}},
	}, func(ctx context.Context) ([][]metrics.Sample, error) {
		all, err := m.Status(ctx)
		if err != nil {
			return nil, err
		}
		out := make([][]metrics.Sample, 6)
		for _, s := range all {
			name := []string{s.Name}
			out[0] = append(out[0], metrics.Sample{Labels: name, Value: float64(s.Behind)})
			out[1] = append(out[1], metrics.Sample{Labels: name, Value: s.Lag.Seconds()})
			out[2] = append(out[2], metrics.Sample{Labels: name, Value: s.Rate})
			out[3] = append(out[3], metrics.Sample{Labels: name, Value: float64(s.DeadLetters)})
			for _, st := range projectionStates {
				v := 0.0
				if s.State == st {
					v = 1
				}
				out[4] = append(out[4], metrics.Sample{Labels: []string{s.Name, string(st)}, Value: v})
			}
			if s.Rebuild != nil {
				out[5] = append(out[5], metrics.Sample{Labels: name, Value: float64(s.Rebuild.Done)})
			}
		}
		return out, nil
	})
}

// breakerStates are the states the payment circuit gauge has a series for.
var breakerStates = []paymentprovider.BreakerState{
	paymentprovider.BreakerClosed, paymentprovider.BreakerOpen, paymentprovider.BreakerHalfOpen,
}

// paymentMetrics reads the payment client's resilience state when
// Prometheus scrapes.
func paymentMetrics(c *paymentprovider.Client) *metrics.Scraped {
	return metrics.NewScraped([]metrics.Family{
		{Name: "payment_circuit_state", Help: "1 for the payment provider circuit breaker's state (closed, open, half-open), 0 for the others.", Labels: []string{"state"}},
		{Name: "payment_bulkhead_in_flight", Help: "Requests to the payment provider in flight."},
		{Name: "payment_bulkhead_capacity", Help: "Most requests to the payment provider allowed in flight at once."},
		{Name: "payment_bulkhead_waiting", Help: "Requests waiting their turn for a slot of the payment bulkhead."},
		{Name: "payment_latency_seconds", Help: "Moving average of how long the payment provider takes to answer; 0 before the first answer."},
		{Name: "payment_calls_total", Help: "Calls to the payment provider, by what became of them.", Labels: []string{"result"}, Counter: true},
		{Name: "payment_attempts_total", Help: "HTTP requests sent to the payment provider, retries and lookups included.", Counter: true},
		{Name: "payment_retries_total", Help: "Retries of calls to the payment provider.", Counter: true},
	}, func(context.Context) ([][]metrics.Sample, error) {
		s := c.State()
		states := make([]metrics.Sample, 0, len(breakerStates))
		for _, st := range breakerStates {
			v := 0.0
			if s.Breaker == st {
				v = 1
			}
			states = append(states, metrics.Sample{Labels: []string{string(st)}, Value: v})
		}
		return [][]metrics.Sample{
			states,
			{{Value: float64(s.InFlight)}},
			{{Value: float64(s.MaxConcurrent)}},
			{{Value: float64(s.Waiting)}},
			{{Value: s.LatencyMs / 1000}},
			{
				{Labels: []string{"all"}, Value: float64(s.Calls)},
				{Labels: []string{"rejected_by_breaker"}, Value: float64(s.RejectedByBreaker)},
				{Labels: []string{"rejected_by_bulkhead"}, Value: float64(s.RejectedByBulkhead)},
				{Labels: []string{"unavailable"}, Value: float64(s.Unavailable)},
			},
			{{Value: float64(s.Attempts)}},
			{{Value: float64(s.Retries)}},
		}, nil
	})
}

// sagaMetrics counts the sagas still running when Prometheus scrapes.
func sagaMetrics(pool *pgxpool.Pool) *metrics.Scraped {
	return metrics.NewScraped([]metrics.Family{
		{Name: "sagas_running", Help: "Sagas started and not yet ended, by saga.", Labels: []string{"saga"}},
	}, func(ctx context.Context) ([][]metrics.Sample, error) {
		n, err := runner.Running(ctx, pool)
		if err != nil {
			return nil, err
		}
		return [][]metrics.Sample{{{Labels: []string{fulfillment.Category}, Value: float64(n)}}}, nil
	})
}
