package metrics

import "github.com/prometheus/client_golang/prometheus"

// GraphQL counts what the GraphQL query API refused; it is the handler's
// Observer (package read).
type GraphQL struct {
	refused    *prometheus.CounterVec
	dropped    prometheus.Counter
	deprecated *prometheus.CounterVec
}

// NewGraphQL registers on r: orderflow_graphql_refused_total{code},
// orderflow_graphql_errors_dropped_total and
// orderflow_graphql_deprecated_uses_total{field}.
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
		deprecated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "graphql_deprecated_uses_total",
			Help: "GraphQL requests that used a deprecated field, argument, input field or enum value, by its schema coordinate (e.g. TimelineEntry.causationId): when it stays flat, removing it breaks no client.",
		}, []string{"field"}),
	}
	if err := r.Register(g.refused, g.dropped, g.deprecated); err != nil {
		return nil, err
	}
	return g, nil
}

// Refused counts a document or response refused with code.
func (g *GraphQL) Refused(code string) { g.refused.WithLabelValues(code).Inc() }

// ErrorsDropped counts n errors left out of a response.
func (g *GraphQL) ErrorsDropped(n int) { g.dropped.Add(float64(n)) }

// DeprecatedUsed counts a request that used the deprecated schema element
// at coordinate.
func (g *GraphQL) DeprecatedUsed(coordinate string) { g.deprecated.WithLabelValues(coordinate).Inc() }
