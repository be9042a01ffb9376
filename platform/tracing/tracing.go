// Package tracing sets up OpenTelemetry tracing: an OTLP/HTTP exporter when
// an endpoint is configured and a no-op tracer otherwise, the HTTP
// middleware that opens a server span per request, and the bridge between
// a span and the W3C traceparent that events carry in their metadata, so
// that one trace follows a command through its events, the saga and the
// projections.
package tracing

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Config configures tracing.
type Config struct {
	// Endpoint is the OTLP/HTTP collector's base URL, e.g.
	// http://otel-collector:4318; spans go to its /v1/traces unless the
	// URL has a path of its own. Empty turns tracing off.
	Endpoint string
	// ServiceName and Version describe this process in every span.
	ServiceName string
	Version     string
	// SampleRatio is the share of new traces recorded, 0 to 1; traces that
	// arrive sampled (a traceparent with the sampled flag) are always
	// recorded. Zero means 1.
	SampleRatio float64
}

// Provider is a tracer provider and how to flush and stop it.
type Provider struct {
	trace.TracerProvider
	shutdown func(context.Context) error
}

// Shutdown exports the spans still buffered and stops the exporter.
func (p *Provider) Shutdown(ctx context.Context) error {
	if p.shutdown == nil {
		return nil
	}
	return p.shutdown(ctx)
}

// Noop returns a provider whose spans record nothing.
func Noop() *Provider { return &Provider{TracerProvider: noop.NewTracerProvider()} }

// New returns the provider cfg describes: a no-op one when cfg.Endpoint is
// empty, else one that batches spans to the OTLP/HTTP endpoint. It fails
// on an endpoint that is not an absolute http or https URL.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	if cfg.Endpoint == "" {
		return Noop(), nil
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("tracing endpoint %q: want an absolute http or https URL", cfg.Endpoint)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/traces"
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(u.String()), otlptracehttp.WithTimeout(10*time.Second))
	if err != nil {
		return nil, fmt.Errorf("tracing exporter: %w", err)
	}
	ratio := cfg.SampleRatio
	if ratio <= 0 || ratio > 1 {
		ratio = 1
	}
	res := resource.NewWithAttributes(semconv.SchemaURL,
		semconv.ServiceName(cfg.ServiceName), semconv.ServiceVersion(cfg.Version))
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(time.Second)),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
	)
	return &Provider{TracerProvider: tp, shutdown: tp.Shutdown}, nil
}
