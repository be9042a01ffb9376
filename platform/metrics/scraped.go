package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// scrapeTimeout bounds how long a Scraped family may take to read its
// values.
const scrapeTimeout = 5 * time.Second

// Sample is one value of a Scraped family, with its label values in the
// order of the family's labels.
type Sample struct {
	Labels []string
	Value  float64
}

// Family describes one metric of a Scraped collector.
type Family struct {
	// Name is the metric's name after the namespace, e.g.
	// "projection_lag_seconds".
	Name string
	Help string
	// Labels are the label names every sample gives values for.
	Labels []string
	// Counter makes it a counter (a value that only grows); otherwise it is
	// a gauge.
	Counter bool
}

// Scraped is a collector whose values are read when Prometheus scrapes,
// by one function that returns the samples of every family: for state that
// lives elsewhere (a database, a client's counters). A read that fails
// reports an invalid metric, which fails that scrape loudly rather than
// showing stale values.
type Scraped struct {
	families []Family
	descs    []*prometheus.Desc
	read     func(ctx context.Context) ([][]Sample, error)
}

// NewScraped returns a collector of families; read returns their samples,
// one slice per family in the same order.
func NewScraped(families []Family, read func(ctx context.Context) ([][]Sample, error)) *Scraped {
	s := &Scraped{families: families, read: read}
	for _, f := range families {
		s.descs = append(s.descs, prometheus.NewDesc(prometheus.BuildFQName(Namespace, "", f.Name), f.Help, f.Labels, nil))
	}
	return s
}

// Describe implements prometheus.Collector.
func (s *Scraped) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range s.descs {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (s *Scraped) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	samples, err := s.read(ctx)
	if err != nil {
		for _, d := range s.descs {
			ch <- prometheus.NewInvalidMetric(d, err)
		}
		return
	}
	for i, f := range s.families {
		if i >= len(samples) {
			break
		}
		kind := prometheus.GaugeValue
		if f.Counter {
			kind = prometheus.CounterValue
		}
		for _, smp := range samples[i] {
			m, err := prometheus.NewConstMetric(s.descs[i], kind, smp.Value, smp.Labels...)
			if err != nil {
				m = prometheus.NewInvalidMetric(s.descs[i], err)
			}
			ch <- m
		}
	}
}
