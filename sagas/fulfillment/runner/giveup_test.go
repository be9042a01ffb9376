package runner_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/platform/logtest"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/order"
)

// TestGiveUpsAreVisible: during an outage the charge (and, compensating,
// the refund's lookup) is parked, which logs one WARN line per parked step
// with the order, the correlation id and the reason; when the payment deadline passes with the provider still
// failing, the saga compensates, which logs one WARN line and reaches the
// observer (the metric).
func TestGiveUpsAreVisible(t *testing.T) {
	w := newWorld(t, 2*time.Second)
	sink := &logtest.Sink{}
	rec := &sagaRecorder{finished: map[string]int{}}
	w.stop()
	w.cfg.Logger = slog.New(slog.NewJSONHandler(sink, nil))
	w.cfg.Observer = rec
	w.start()
	w.product("A", 1999, 10)
	if err := w.sandbox.SetControls(sandbox.Controls{Outage: true}); err != nil {
		t.Fatal(err)
	}
	const corr = "corr-give-up"
	id, err := w.placeWith(command.Meta{CorrelationID: corr}, "DE", order.LineRequest{SKU: "A", Quantity: 1})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); !w.compensating(id); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the saga did not compensate after its payment deadline")
		}
	}
	if err := w.sandbox.SetControls(sandbox.Controls{}); err != nil {
		t.Fatal(err)
	}
	s := w.finished(id)
	if !s.Compensated || !s.ProviderFailing || !strings.HasPrefix(s.Reason, "payment not captured by") {
		t.Fatalf("saga %+v", s)
	}

	parkedSteps := 0
	for _, h := range s.History {
		if h.Outcome == "parked" || h.Outcome == "failed" {
			parkedSteps++
		}
	}
	var parked, cancelled int
	for _, r := range w.logs(t, sink) {
		if r["order"] != id || r["correlation_id"] != corr || r["reason"] == "" || r["reason"] == nil {
			t.Errorf("WARN line without the order, correlation id or reason: %v", r)
			continue
		}
		switch {
		case r["step"] != nil:
			parked++
		case strings.Contains(r["msg"].(string), "payment deadline"):
			cancelled++
		default:
			t.Errorf("unexpected WARN line %v", r)
		}
	}
	rec.mu.Lock()
	deadlines := rec.deadlines
	rec.mu.Unlock()
	if parkedSteps == 0 || parked != parkedSteps || cancelled != 1 || deadlines != 1 {
		t.Fatalf("%d parked steps logged for %d recorded, %d deadline lines, %d deadline reports; want one each", parked, parkedSteps, cancelled, deadlines)
	}
}

// logs returns the WARN records about the saga's orders.
func (w *world) logs(t *testing.T, sink *logtest.Sink) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range sink.Warnings(t) {
		if _, ok := r["order"]; ok {
			out = append(out, r)
		}
	}
	return out
}
