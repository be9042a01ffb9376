package metrics

import "github.com/prometheus/client_golang/prometheus"

// Shed counts the requests the API's load shedder refused.
type Shed struct {
	refused *prometheus.CounterVec
}

// NewShed registers orderflow_api_shed_total{route} on r.
func NewShed(r *Registry) (*Shed, error) {
	s := &Shed{refused: prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "api_shed_total",
		Help: "Requests refused with 503 overloaded because more orders were in flight than could be paid for in time, by route.",
	}, []string{"route"})}
	if err := r.Register(s.refused); err != nil {
		return nil, err
	}
	return s, nil
}

// Refused counts a request to route that was refused.
func (s *Shed) Refused(route string) {
	s.refused.WithLabelValues(route).Inc()
}
