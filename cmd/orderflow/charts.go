package main

import (
	"github.com/orderflow/orderflow/charts"
	"github.com/orderflow/orderflow/platform/metrics"
)

// startChartsRecorder starts the charts recorder as a part of p: it
// samples what the console's charts need and no read model holds, while
// this process holds its lease (one process of the projections role
// records at a time).
func (s *system) startChartsRecorder(p *parts) error {
	skipped, err := metrics.NewCharts(s.metrics)
	if err != nil {
		return err
	}
	rec, err := charts.NewRecorder(charts.RecorderConfig{Pool: s.pool, Status: s.views.Status, Owner: s.name,
		Step: s.cfg.ChartsStep, Logger: s.logger, OnSkip: skipped.Skipped})
	if err != nil {
		return err
	}
	p.supervise("charts recorder", rec.Run)
	return nil
}
