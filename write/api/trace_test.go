package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/tracing"
	"github.com/orderflow/orderflow/platform/tracing/tracingtest"
	"github.com/orderflow/orderflow/write/order"
)

// inboundTrace is the caller's trace context in the tests.
const (
	inboundTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	inboundSpanID  = "00f067aa0ba902b7"
	inboundParent  = "00-" + inboundTraceID + "-" + inboundSpanID + "-01"
)

// TestEventsCarryTheRequestsTrace: without a span in the request's
// context the events keep the inbound traceparent and tracestate as they
// came; behind tracing.Middleware they carry the request's server span,
// which continues the inbound trace (or starts one), and which the
// collector receives.
func TestEventsCarryTheRequestsTrace(t *testing.T) {
	placedMeta := func(e *env, headers ...string) (traceparent, tracestate string) {
		t.Helper()
		r := e.mustPost(202, "/orders", validOrder, headers...)
		events := e.stream(order.StreamID(r.json(t)["orderId"].(string)))
		if len(events) != 1 {
			t.Fatalf("%d events", len(events))
		}
		return events[0].Metadata.TraceParent, events[0].Metadata.TraceState
	}

	t.Run("no span: the inbound headers", func(t *testing.T) {
		e := newEnv(t)
		e.catalog()
		tp, ts := placedMeta(e, "traceparent", inboundParent, "tracestate", "vendor=x")
		if tp != inboundParent || ts != "vendor=x" {
			t.Fatalf("traceparent %q, tracestate %q; want the inbound %q, vendor=x", tp, ts, inboundParent)
		}
	})

	t.Run("server span", func(t *testing.T) {
		col := tracingtest.NewCollector(t)
		p, err := tracing.New(context.Background(), tracing.Config{Endpoint: col.URL, ServiceName: "write-api-test"})
		if err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, tracing.Middleware(p))
		e.catalog()
		continued, ts := placedMeta(e, "traceparent", inboundParent, "tracestate", "vendor=x")
		started, _ := placedMeta(e)
		if err := p.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		// Four catalog requests, two orders: a server span each.
		spans := col.WaitFor(t, 5*time.Second, func(s []tracingtest.Span) bool { return len(s) >= 6 })

		serverSpan := func(traceparent string) tracingtest.Span {
			t.Helper()
			parts := strings.Split(traceparent, "-")
			if len(parts) != 4 || parts[0] != "00" || parts[3] != "01" {
				t.Fatalf("traceparent %q is not a sampled W3C traceparent", traceparent)
			}
			for _, s := range spans {
				if s.TraceID == parts[1] && s.SpanID == parts[2] {
					if s.Name != "POST /api/v1/orders" {
						t.Fatalf("the events' span is %q, want the server span POST /api/v1/orders", s.Name)
					}
					return s
				}
			}
			t.Fatalf("traceparent %q names no span the collector received: %+v", traceparent, spans)
			return tracingtest.Span{}
		}
		if s := serverSpan(continued); s.TraceID != inboundTraceID || s.ParentID != inboundSpanID || ts != "vendor=x" {
			t.Fatalf("the server span %+v (tracestate %q) does not continue the inbound trace %s", s, ts, inboundParent)
		}
		if s := serverSpan(started); s.ParentID != "" || s.TraceID == inboundTraceID {
			t.Fatalf("without a traceparent the server span %+v should start a trace", s)
		}
	})
}
