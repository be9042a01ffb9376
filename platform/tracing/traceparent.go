package tracing

import (
	"context"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// propagator reads and writes W3C trace context.
var propagator = propagation.TraceContext{}

// TraceParent returns the W3C traceparent and tracestate of the span in
// ctx, to store in the metadata of the events it causes; empty strings
// when ctx carries no valid span.
func TraceParent(ctx context.Context) (traceparent, tracestate string) {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return "", ""
	}
	c := propagation.MapCarrier{}
	propagator.Inject(ctx, c)
	return c.Get("traceparent"), c.Get("tracestate")
}

// FromTraceParent returns ctx carrying the remote span that traceparent
// and tracestate describe, to continue a trace an event recorded; ctx
// unchanged when traceparent is empty or malformed.
func FromTraceParent(ctx context.Context, traceparent, tracestate string) context.Context {
	if traceparent == "" {
		return ctx
	}
	return propagator.Extract(ctx, propagation.MapCarrier{"traceparent": traceparent, "tracestate": tracestate})
}

// Extract returns ctx carrying the remote span of an inbound request's
// traceparent header, if it has a valid one.
func Extract(ctx context.Context, h propagation.HeaderCarrier) context.Context {
	return propagator.Extract(ctx, h)
}

// Inject writes the span of ctx into outbound request headers.
func Inject(ctx context.Context, h propagation.HeaderCarrier) {
	propagator.Inject(ctx, h)
}
