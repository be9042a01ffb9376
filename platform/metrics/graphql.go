package metrics

import "github.com/prometheus/client_golang/prometheus"

// GraphQL counts what the GraphQL query API refused; it is the handler's
// Observer (package read).
type GraphQL struct {
	refused *prometheus.CounterVec
	dropped prometheus.Counter
}

// NewGraphQL registers on r: orderflow_graphql_refused_total{code} and
// orderflow_graphql_errors_dropped_total.
func NewGraphQL(r *Registry) (*GraphQL, error) {
	g := &GraphQL{
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "graphql_refused_total",
			Help: "GraphQL documents refused before they ran, and responses refused for their size, by error code.",
		}, []string{"code"}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Name: "graphql_errors_dropped_total",
			Help: "Errors left out of GraphQL responses that had more than the most a response carries.",
		}),
	}
	if err := r.Register(g.refused, g.dropped); err != nil {
		return nil, err
	}
	return g, nil
}

// Refused counts a document or response refused with code.
func (g *GraphQL) Refused(code string) { g.refused.WithLabelValues(code).Inc() }

// ErrorsDropped counts n errors left out of a response.
func (g *GraphQL) ErrorsDropped(n int) { g.dropped.Add(float64(n)) }
