package paymentprovider

import (
	"net/http"
	"sync"
	"time"
)

// keptFailures is how many recent failed attempts State reports.
const keptFailures = 20

// Failure is one attempt the provider failed: no answer (a timeout, a
// refused connection), a 5xx, or a 429.
type Failure struct {
	At     time.Time `json:"at"`
	Detail string    `json:"detail"`
}

// failures keeps the most recent failed attempts. It is safe for
// concurrent use.
type failures struct {
	mu   sync.Mutex
	ring [keptFailures]Failure
	next int // index of the slot the next failure goes to
	n    int // failures kept, up to keptFailures
}

// note records an attempt's outcome if it is a failure.
func (f *failures) note(resp *http.Response, err error) {
	if err == nil && (resp == nil || (resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests)) {
		return
	}
	detail := "no answer"
	switch {
	case err != nil:
		detail = err.Error()
	case resp != nil:
		detail = resp.Status
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ring[f.next] = Failure{At: time.Now(), Detail: detail}
	f.next = (f.next + 1) % keptFailures
	f.n = min(f.n+1, keptFailures)
}

// recent returns the failures kept, newest first.
func (f *failures) recent() []Failure {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Failure, 0, f.n)
	for i := range f.n {
		out = append(out, f.ring[(f.next-1-i+2*keptFailures)%keptFailures])
	}
	return out
}
