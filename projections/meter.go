package projections

import "time"

// rateWindow is the window events/s are measured over.
const rateWindow = 10 * time.Second

// meter measures events per second over the last rateWindow. It is not
// safe for concurrent use.
type meter struct {
	samples []sample // oldest first; samples[0] is at or before the window
}

type sample struct {
	at    time.Time
	total int64
}

func newMeter(now time.Time) *meter {
	return &meter{samples: []sample{{at: now}}}
}

// add counts n more events at now.
func (m *meter) add(now time.Time, n int) {
	last := m.samples[len(m.samples)-1]
	m.samples = append(m.samples, sample{at: now, total: last.total + int64(n)})
	m.prune(now)
}

// rate returns the events per second since the oldest sample kept: over
// the window and a little more, or since the meter started when it is
// younger than the window.
func (m *meter) rate(now time.Time) float64 {
	m.prune(now)
	base, last := m.samples[0], m.samples[len(m.samples)-1]
	elapsed := now.Sub(base.at).Seconds()
	if elapsed <= 0 {
		return 0
	}
	return float64(last.total-base.total) / elapsed
}

// prune drops the samples the window no longer needs, keeping the last one
// before it as the base.
func (m *meter) prune(now time.Time) {
	start := now.Add(-rateWindow)
	i := 0
	for i+1 < len(m.samples) && !m.samples[i+1].at.After(start) {
		i++
	}
	m.samples = m.samples[i:]
}
