package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Sagas counts what sagas did: steps by outcome, sagas that ended with
// how long they ran, and sagas that gave up at their deadline.
type Sagas struct {
	steps     *prometheus.CounterVec
	finished  *prometheus.HistogramVec
	deadlines *prometheus.CounterVec
}

// NewSagas registers on r: orderflow_saga_steps_total{saga,step,outcome}
// (a step parked or failed, to be retried, counts there),
// orderflow_saga_duration_seconds{saga,outcome} (a histogram whose
// count is the sagas that ended that way) and
// orderflow_saga_deadline_compensations_total{saga}.
func NewSagas(r *Registry) (*Sagas, error) {
	s := &Sagas{
		steps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "saga_steps_total",
			Help: "Saga steps recorded, by saga, step kind and outcome (done, rejected, parked, failed).",
		}, []string{"saga", "step", "outcome"}),
		finished: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "saga_duration_seconds",
			Help:    "Time from a saga's start to its end, by saga and outcome (completed, compensated).",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900},
		}, []string{"saga", "outcome"}),
		deadlines: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "saga_deadline_compensations_total",
			Help: "Sagas that began compensating (cancelling their order) because their payment deadline passed while the provider failed.",
		}, []string{"saga"}),
	}
	if err := r.Register(s.steps, s.finished, s.deadlines); err != nil {
		return nil, err
	}
	return s, nil
}

// Step counts a step of saga recorded with outcome.
func (s *Sagas) Step(saga, step, outcome string) {
	s.steps.WithLabelValues(saga, step, outcome).Inc()
}

// Finished counts a saga that ended with outcome after running for took.
func (s *Sagas) Finished(saga, outcome string, took time.Duration) {
	s.finished.WithLabelValues(saga, outcome).Observe(took.Seconds())
}

// DeadlinePassed counts a saga that began compensating at its deadline.
func (s *Sagas) DeadlinePassed(saga string) {
	s.deadlines.WithLabelValues(saga).Inc()
}
