package paymentprovider

import (
	"sync"
	"time"
)

// latency follows how long the provider takes to answer: an exponentially
// weighted moving average of the exchanges that got an answer, each new
// one weighing a tenth. It is safe for concurrent use.
type latency struct {
	mu  sync.Mutex
	avg time.Duration
}

// observe adds an exchange that took d.
func (l *latency) observe(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.avg == 0 {
		l.avg = d
		return
	}
	l.avg += (d - l.avg) / 10
}

// get returns the average, 0 before the first answer.
func (l *latency) get() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.avg
}
