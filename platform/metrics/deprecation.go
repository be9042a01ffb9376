package metrics

import "github.com/prometheus/client_golang/prometheus"

// DeprecatedRoutes counts the requests to deprecated routes of the REST
// API, so that operators know when nobody uses one any more.
type DeprecatedRoutes struct {
	requests *prometheus.CounterVec
}

// NewDeprecatedRoutes registers orderflow_api_deprecated_requests_total{route}
// on r.
func NewDeprecatedRoutes(r *Registry) (*DeprecatedRoutes, error) {
	d := &DeprecatedRoutes{requests: prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "api_deprecated_requests_total",
		Help: "Requests to deprecated REST routes, by route (e.g. \"GET /api/v1/openapi\"): when it stays flat, removing the route breaks no client.",
	}, []string{"route"})}
	if err := r.Register(d.requests); err != nil {
		return nil, err
	}
	return d, nil
}

// Requested counts a request to the deprecated route.
func (d *DeprecatedRoutes) Requested(route string) { d.requests.WithLabelValues(route).Inc() }
