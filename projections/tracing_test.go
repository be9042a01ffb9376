package projections_test

import (
	"context"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/tracing"
	"github.com/orderflow/orderflow/platform/tracing/tracingtest"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

func TestLiveRunnerContinuesTheTraceOfSampledEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	col := tracingtest.NewCollector(t)
	tp, err := tracing.New(context.Background(), tracing.Config{Endpoint: col.URL, ServiceName: "test"})
	if err != nil {
		t.Fatal(err)
	}
	const (
		traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
		parent  = "00f067aa0ba902b7"
	)
	sampled := projectionstest.Event("counter.added", 1)
	sampled.Metadata = eventstore.Metadata{TraceParent: "00-" + traceID + "-" + parent + "-01"}
	unsampled := projectionstest.Event("counter.added", 2)
	unsampled.Metadata = eventstore.Metadata{TraceParent: "00-" + traceID + "-" + parent + "-00"}
	plain := projectionstest.Event("counter.added", 3)
	m := e.managerWith(projections.Config{Owner: "a", Projections: []projections.Projection{projectionstest.NewCounter("traced", 1)}, TracerProvider: tp})
	stop := start(t, m)
	// The first build replays history without spans; the live runner
	// traces what arrives after it.
	waitFor(t, 30*time.Second, "a live generation", func() bool { return e.checkpoint("traced").Generation > 0 })
	for _, ev := range []eventstore.EventData{sampled, unsampled, plain} {
		if err := e.appendEvent(ctxFor(t), "counter-1", ev); err != nil {
			t.Fatal(err)
		}
	}
	e.waitCaughtUp("traced")
	stop()
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans := col.WaitFor(t, 5*time.Second, func(s []tracingtest.Span) bool { return len(s) >= 1 })
	if len(spans) != 1 {
		t.Fatalf("spans = %+v, want one: only the sampled event is traced", spans)
	}
	s := spans[0]
	if s.Name != "project traced" || s.TraceID != traceID || s.ParentID != parent || s.Attrs["orderflow.event.type"] != "counter.added" {
		t.Fatalf("span = %+v", s)
	}
}
