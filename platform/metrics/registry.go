// Package metrics exports orderflow's Prometheus metrics: a registry with
// the Go runtime's and the process's collectors, the /metrics handler, the
// HTTP middleware that measures every request, the observers the command
// handler and the saga report to, and families of gauges read when
// Prometheus scrapes.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every orderflow metric.
const Namespace = "orderflow"

// Registry holds the metrics of one process. It is safe for concurrent
// use.
type Registry struct {
	reg *prometheus.Registry
}

// New returns a registry holding the Go runtime's and the process's
// collectors.
func New() *Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &Registry{reg: reg}
}

// Register adds collectors; it fails when one clashes with a metric
// already registered.
func (r *Registry) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := r.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Handler serves the metrics in the Prometheus text format.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{Registry: r.reg})
}
