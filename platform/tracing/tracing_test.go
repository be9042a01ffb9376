package tracing_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"go.opentelemetry.io/otel/trace"

	"github.com/orderflow/orderflow/platform/tracing"
	"github.com/orderflow/orderflow/platform/tracing/tracingtest"
)

const inbound = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

func TestMiddlewareExportsAServerSpanPerRequest(t *testing.T) {
	col := tracingtest.NewCollector(t)
	p, err := tracing.New(context.Background(), tracing.Config{Endpoint: col.URL, ServiceName: "orderflow-test", Version: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	var seen string // the traceparent the handler would store in events
	r := chi.NewRouter()
	r.Use(tracing.Middleware(p))
	r.Get("/orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		seen, _ = tracing.TraceParent(r.Context())
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(r)
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/orders/42", nil)
	req.Header.Set("traceparent", inbound)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans := col.WaitFor(t, 5*time.Second, func(s []tracingtest.Span) bool { return len(s) == 1 })
	s := spans[0]
	if s.Name != "GET /orders/{id}" || s.Service != "orderflow-test" || s.TraceID != "4bf92f3577b34da6a3ce929d0e0e4736" ||
		s.ParentID != "00f067aa0ba902b7" || s.Attrs["http.route"] != "/orders/{id}" {
		t.Fatalf("span = %+v", s)
	}
	if want := "00-4bf92f3577b34da6a3ce929d0e0e4736-" + s.SpanID + "-01"; seen != want {
		t.Fatalf("traceparent inside the request = %q, want %q (the server span)", seen, want)
	}
}

func TestTraceParentRoundTrip(t *testing.T) {
	ctx := tracing.FromTraceParent(context.Background(), inbound, "vendor=x")
	if sc := trace.SpanContextFromContext(ctx); !sc.IsRemote() || sc.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Fatalf("span context = %+v", sc)
	}
	tp, ts := tracing.TraceParent(ctx)
	if tp != inbound || ts != "vendor=x" {
		t.Fatalf("TraceParent = %q %q", tp, ts)
	}
	for _, bad := range []string{"", "nonsense", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"} {
		ctx := tracing.FromTraceParent(context.Background(), bad, "")
		if tp, _ := tracing.TraceParent(ctx); tp != "" {
			t.Errorf("traceparent %q gave %q, want none", bad, tp)
		}
	}
}

func TestNoopAndBadEndpoints(t *testing.T) {
	p, err := tracing.New(context.Background(), tracing.Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, span := p.Tracer("x").Start(context.Background(), "nothing")
	if span.SpanContext().IsValid() || span.IsRecording() {
		t.Fatal("the no-op provider recorded a span")
	}
	for _, bad := range []string{"localhost:4318", "ftp://x", "http://"} {
		if _, err := tracing.New(context.Background(), tracing.Config{Endpoint: bad}); err == nil || !strings.Contains(err.Error(), "absolute http") {
			t.Errorf("endpoint %q: err = %v", bad, err)
		}
	}
}
