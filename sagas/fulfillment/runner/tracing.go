package runner

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/orderflow/orderflow/platform/tracing"
	"github.com/orderflow/orderflow/sagas/fulfillment"
)

// tracerOf returns the runner's tracer from tp, a no-op one when tp is nil.
func tracerOf(tp trace.TracerProvider) trace.Tracer {
	if tp == nil {
		tp = noop.NewTracerProvider()
	}
	return tp.Tracer("github.com/orderflow/orderflow/sagas/fulfillment")
}

// withTrace returns ctx continuing the trace the saga's first event
// recorded (the placing request's), so that its steps, their commands and
// the saga's own events join that trace; ctx unchanged when there is none.
func withTrace(ctx context.Context, s fulfillment.State) context.Context {
	return tracing.FromTraceParent(ctx, s.Origin.TraceParent, s.Origin.TraceState)
}

// stepSpan starts the span of one step of the saga, when ctx continues a
// trace; end records the step's outcome and ends it.
func (r *Runner) stepSpan(ctx context.Context, s fulfillment.State, a fulfillment.Action) (context.Context, func(fulfillment.StepRecorded)) {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx, func(fulfillment.StepRecorded) {}
	}
	ctx, span := r.tracer.Start(ctx, "saga step "+string(a.Step.Kind), trace.WithAttributes(
		attribute.String("orderflow.saga", fulfillment.Category), attribute.String("orderflow.order_id", s.OrderID),
		attribute.String("orderflow.saga.step", a.Step.String())))
	return ctx, func(rec fulfillment.StepRecorded) {
		span.SetAttributes(attribute.String("orderflow.saga.outcome", string(rec.Outcome)))
		if rec.Outcome == fulfillment.Failed || rec.Outcome == fulfillment.Parked {
			span.SetStatus(codes.Error, rec.Detail)
		}
		span.End()
	}
}
