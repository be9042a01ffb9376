package runner_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/order"
)

// sagaRecorder is an Observer that keeps what it heard.
type sagaRecorder struct {
	mu        sync.Mutex
	steps     []string // kind/outcome
	finished  map[string]int
	took      []time.Duration
	deadlines int
}

func (r *sagaRecorder) DeadlinePassed() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.deadlines++
}

func (r *sagaRecorder) StepRecorded(kind fulfillment.StepKind, outcome fulfillment.Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.steps = append(r.steps, string(kind)+"/"+string(outcome))
}

func (r *sagaRecorder) SagaFinished(outcome string, took time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.finished[outcome]++
	r.took = append(r.took, took)
}

func TestObserverHearsStepsAndEnds(t *testing.T) {
	w := newWorld(t, 2*time.Second)
	rec := &sagaRecorder{finished: map[string]int{}}
	w.stop()
	w.cfg.Observer = rec
	w.start()
	w.product("A", 1999, 10)
	w.product("D", 1002, 10) // the sandbox declines amounts ending in 02

	w.finished(w.place("DE", order.LineRequest{SKU: "A", Quantity: 1}))
	w.finished(w.place("DE", order.LineRequest{SKU: "D", Quantity: 1}))

	deadline := time.Now().Add(10 * time.Second)
	for {
		rec.mu.Lock()
		done := rec.finished["completed"] == 1 && rec.finished["compensated"] == 1
		steps := slices.Clone(rec.steps)
		took := slices.Clone(rec.took)
		rec.mu.Unlock()
		if done {
			for _, want := range []string{"reserve/done", "charge/done", "charge/rejected", "release/done", "refund/done", "cancel_order/done", "schedule_shipment/done"} {
				if !slices.Contains(steps, want) {
					t.Errorf("steps %v lack %s", steps, want)
				}
			}
			for _, s := range steps {
				if s == "reserve:A/done" || s == "release:D/done" {
					t.Errorf("step %s reported with its SKU", s)
				}
			}
			for _, d := range took {
				if d <= 0 || d > time.Minute {
					t.Errorf("a saga took %v", d)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("finished %v, steps %v", rec.finished, steps)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
