package metrics

import "github.com/prometheus/client_golang/prometheus"

// Charts counts what the charts recorder gave up on.
type Charts struct {
	skipped prometheus.Counter
}

// NewCharts registers orderflow_charts_samples_skipped_total on r.
func NewCharts(r *Registry) (*Charts, error) {
	c := &Charts{skipped: prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: Namespace, Name: "charts_samples_skipped_total",
		Help: "Intervals whose chart samples the recorder could not all record (their points stay empty).",
	})}
	if err := r.Register(c.skipped); err != nil {
		return nil, err
	}
	return c, nil
}

// Skipped counts an interval not recorded.
func (c *Charts) Skipped() { c.skipped.Inc() }
