package main

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/platform/tracing/tracingtest"
)

// metricValue reads one sample of the exposition text; 0 when absent.
func metricValue(t *testing.T, text, series string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		return 0
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("%s = %q", series, m[1])
	}
	return v
}

// TestAPlacedOrderIsMeasuredAndTraced places one order through the whole
// system and checks the metric increments it causes and that one trace
// spans the HTTP request, the saga's steps, the payment call and the
// projections.
func TestAPlacedOrderIsMeasuredAndTraced(t *testing.T) {
	col := tracingtest.NewCollector(t)
	s := startSystem(t, dbtest.New(t), map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": col.URL})
	s.call(t, http.MethodPost, "/api/v1/products", s.admin, map[string]any{"sku": "SKU-T", "name": "Traced", "price": map[string]any{"amount": 1999, "currency": "EUR"}}, http.StatusAccepted, nil)
	s.call(t, http.MethodPost, "/api/v1/products/SKU-T/stock", s.admin, map[string]any{"quantity": 5}, http.StatusAccepted, nil)
	// The first build of each read model replays history without spans:
	// the order must reach the live runners.
	eventually(t, 60*time.Second, "every projection to go live", func() bool { return caughtUp(s.projections(t)) })
	before := s.text(t, "/metrics")

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	var placed struct {
		OrderID   string
		CommandID string
		Position  string
	}
	s.call(t, http.MethodPost, "/api/v1/orders", s.customer, map[string]any{
		"lines":           []map[string]any{{"sku": "SKU-T", "quantity": 2}},
		"shippingAddress": map[string]any{"name": "A. Buyer", "line1": "1 Main St", "city": "Berlin", "postalCode": "10115", "country": "DE"},
	}, http.StatusAccepted, &placed, "traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")

	// The log line of the command carries who, what, where and the request.
	var rec map[string]any
	for _, r := range s.logs.Records(t) {
		if r["msg"] == "command handled" && r["command"] == "POST /api/v1/orders" {
			rec = r
		}
	}
	if rec["command"] != "POST /api/v1/orders" || rec["stream"] != "order-"+placed.OrderID || rec["user"] != "c-1" ||
		placed.CommandID == "" || rec["command_id"] != placed.CommandID ||
		rec["request_id"] == nil || rec["request_id"] != rec["correlation_id"] {
		t.Errorf("command log = %v", rec)
	}

	var got struct{ Fulfillment *struct{ State string } }
	eventually(t, 60*time.Second, "the saga to complete", func() bool {
		errs := s.tryGraphQL(t, s.customer, `query($id: ID!) { fulfillment(orderId: $id) { state } }`, map[string]any{"id": placed.OrderID}, &got)
		return len(errs) == 0 && got.Fulfillment != nil && got.Fulfillment.State == "COMPLETED"
	})

	after := s.text(t, "/metrics")
	delta := func(series string) float64 { return metricValue(t, after, series) - metricValue(t, before, series) }
	for series, want := range map[string]float64{
		`orderflow_http_requests_total{method="POST",route="/api/v1/orders",status="202"}`: 1,
		`orderflow_commands_total{category="order",outcome="appended"}`:                    3, // placed, confirmed, paid
		`orderflow_saga_duration_seconds_count{outcome="completed",saga="fulfillment"}`:    1,
		`orderflow_saga_steps_total{outcome="done",saga="fulfillment",step="charge"}`:      1,
		`orderflow_saga_steps_total{outcome="done",saga="fulfillment",step="reserve"}`:     1,
		`orderflow_payment_calls_total{result="all"}`:                                      1,
	} {
		if got := delta(series); got != want {
			t.Errorf("%s went up by %v, want %v", series, got, want)
		}
	}
	if got := delta(`orderflow_events_appended_total{category="order"}`); got != 3 {
		t.Errorf("order events appended went up by %v, want 3", got)
	}

	spans := col.WaitFor(t, 30*time.Second, func(spans []tracingtest.Span) bool {
		names := map[string]bool{}
		for _, sp := range spans {
			if sp.TraceID == traceID {
				names[sp.Name] = true
			}
		}
		return names["POST /api/v1/orders"] && names["saga step charge"] && names["project orders"] && names["project fulfillment"]
	})
	var server tracingtest.Span
	byID := map[string]tracingtest.Span{}
	for _, sp := range spans {
		if sp.TraceID == traceID {
			byID[sp.SpanID] = sp
			if sp.Name == "POST /api/v1/orders" {
				server = sp
			}
		}
	}
	if server.ParentID != "00f067aa0ba902b7" {
		t.Errorf("the server span's parent is %q, want the inbound span", server.ParentID)
	}
	var payment bool
	for _, sp := range byID {
		if strings.HasPrefix(sp.Name, "payment provider POST") {
			payment = true
			if parent := byID[sp.ParentID]; parent.Name != "saga step charge" {
				t.Errorf("the payment call's parent is %+v, want the charge step", parent)
			}
		}
	}
	if !payment {
		t.Errorf("no payment provider span in the trace: %+v", byID)
	}
}
