package paymentprovider_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/paymentprovider"
	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/platform/tracing"
	"github.com/orderflow/orderflow/platform/tracing/tracingtest"
)

func TestServerErrorsAreRetried(t *testing.T) {
	sb, base := startSandbox(t, sandbox.Controls{FailNext: 2})
	c := newClient(t, base, paymentprovider.Config{})
	ch, err := c.Charge(context.Background(), "k", "order-1", eur(1999))
	if err != nil {
		t.Fatalf("charge after two 500s: %v", err)
	}
	// The first 500 leaves the outcome unknown, so the retries look the
	// charge up (the first lookup meets the second 500) before charging.
	st := sb.Stats()
	if st.InjectedErrors != 2 || st.ChargesMade != 1 || st.ChargesByReference["order-1"] != 1 || st.Requests != 4 || st.Lookups != 1 {
		t.Fatalf("sandbox stats %+v", st)
	}
	s := c.State()
	if s.Retries != 2 || s.Attempts != 4 || s.Answered != 1 || s.Breaker != paymentprovider.BreakerClosed || s.MaxConcurrent != paymentprovider.DefaultMaxConcurrent {
		t.Fatalf("client state %+v", s)
	}
	if len(s.RecentFailures) != 2 || s.RecentFailures[0].Detail != "500 Internal Server Error" ||
		s.RecentFailures[0].At.Before(s.RecentFailures[1].At) {
		t.Fatalf("recent failures %+v, want the two 500s, newest first", s.RecentFailures)
	}
	if ch.Amount != eur(1999) {
		t.Fatalf("charge %+v", ch)
	}
}

func TestRetriesRunOut(t *testing.T) {
	sb, base := startSandbox(t, sandbox.Controls{ErrorRate: 1})
	c := newClient(t, base, paymentprovider.Config{Retries: 2, BreakerFailureThreshold: 10})
	_, err := c.Refund(context.Background(), "r", "ch_x")
	if !errors.Is(err, paymentprovider.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if st := sb.Stats(); st.Requests != 3 || st.InjectedErrors != 3 {
		t.Fatalf("sandbox stats %+v, want 3 attempts", st)
	}
	if s := c.State(); s.Unavailable != 1 || s.Retries != 2 || s.Answered != 0 {
		t.Fatalf("client state %+v", s)
	}
}

func TestConnectionErrorsAreRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	c := newClient(t, "http://"+addr, paymentprovider.Config{Retries: 2})
	_, err = c.Charge(context.Background(), "k", "order-1", eur(100))
	if !errors.Is(err, paymentprovider.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	// Three charge attempts; the two retries each look the charge up
	// first, and the lookup fails the same way.
	if s := c.State(); s.Retries != 2 || s.Attempts != 3 {
		t.Fatalf("client state %+v", s)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	sb, base := startSandbox(t, sandbox.Controls{RateLimitPerSecond: 1})
	// Backoff alone would come back within 50ms; only Retry-After makes
	// the client wait the second the sandbox asks for.
	c := newClient(t, base, paymentprovider.Config{})
	ctx := context.Background()
	for i := range 2 {
		if _, err := c.Charge(ctx, fmt.Sprintf("k%d", i), fmt.Sprintf("order-%d", i), eur(100)); err != nil {
			t.Fatalf("charge %d: %v", i, err)
		}
	}
	st := sb.Stats()
	if st.RejectedByRateLimit < 1 || st.RetryAfterHonoured != st.RejectedByRateLimit || st.RetryAfterViolations != 0 || st.ChargesMade != 2 {
		t.Fatalf("sandbox stats %+v: Retry-After not honoured", st)
	}
	if s := c.State(); s.Breaker != paymentprovider.BreakerClosed {
		t.Fatalf("a 429 opened the circuit: %+v", s)
	}
}

// TestAmbiguousTimeout: the sandbox charges but holds its answer; the
// client times out, looks the charge up by its key and returns it.
func TestAmbiguousTimeout(t *testing.T) {
	sb, base := startSandbox(t, sandbox.Controls{TimeoutAfterCharge: true})
	c := newClient(t, base, paymentprovider.Config{Timeout: 300 * time.Millisecond})
	ch, err := c.Charge(context.Background(), "order-7/payment", "order-7", eur(4200))
	if err != nil {
		t.Fatalf("charge: %v", err)
	}
	if ch.Status != paymentprovider.ChargeSucceeded || ch.Amount != eur(4200) || ch.Reference != "order-7" {
		t.Fatalf("charge %+v", ch)
	}
	st := sb.Stats()
	if st.ChargesMade != 1 || st.ChargesByReference["order-7"] != 1 || st.ChargeAttempts != 1 || st.Lookups != 1 {
		t.Fatalf("sandbox stats %+v", st)
	}
	if s := c.State(); s.Attempts != 2 || s.Retries != 1 {
		t.Fatalf("client state %+v", s)
	}
}

// TestOutageUnderLoad: during an outage the bulkhead keeps calls beyond
// its limit from the provider, the circuit opens and then refuses calls
// without sending them, and once the outage ends the circuit closes again.
func TestOutageUnderLoad(t *testing.T) {
	const maxConcurrent, calls = 4, 24
	sb, base := startSandbox(t, sandbox.Controls{Outage: true, LatencyMs: 300})
	c := newClient(t, base, paymentprovider.Config{
		MaxConcurrent:           maxConcurrent,
		MaxWait:                 -1,
		Retries:                 1,
		BreakerFailureThreshold: 3,
		BreakerDelay:            3 * time.Second,
	})
	ctx := context.Background()

	start := make(chan struct{})
	errs := make([]error, calls)
	var wg sync.WaitGroup
	for i := range calls {
		wg.Go(func() {
			<-start
			_, errs[i] = c.Charge(ctx, fmt.Sprintf("load-%d", i), fmt.Sprintf("order-%d", i), eur(1000))
		})
	}
	close(start)
	wg.Wait()

	var full, open int
	for i, err := range errs {
		switch {
		case errors.Is(err, paymentprovider.ErrBulkheadFull):
			full++
		case errors.Is(err, paymentprovider.ErrCircuitOpen):
			open++
		case errors.Is(err, paymentprovider.ErrUnavailable):
		default:
			t.Fatalf("call %d during the outage: %v", i, err)
		}
	}
	st, s := sb.Stats(), c.State()
	if st.MaxInFlight > maxConcurrent || st.ChargesMade != 0 {
		t.Fatalf("sandbox stats %+v: more than %d calls reached it at once", st, maxConcurrent)
	}
	if full == 0 || uint64(full) != s.RejectedByBulkhead || open == 0 || s.Breaker != paymentprovider.BreakerOpen {
		t.Fatalf("%d calls refused by the bulkhead, %d by the circuit; client state %+v", full, open, s)
	}

	// While the circuit is open, calls fail fast and send nothing.
	before := sb.Stats().Requests
	for i := range 10 {
		if _, err := c.Charge(ctx, fmt.Sprintf("open-%d", i), "order-x", eur(1000)); !errors.Is(err, paymentprovider.ErrCircuitOpen) {
			t.Fatalf("call %d with the circuit open: %v", i, err)
		}
	}
	if after := sb.Stats().Requests; after != before {
		t.Fatalf("%d calls reached the provider through an open circuit", after-before)
	}
	if s := c.State(); s.RejectedByBreaker < uint64(open)+10 {
		t.Fatalf("client state %+v", s)
	}

	// The outage ends; after the breaker delay a trial call closes the
	// circuit.
	if err := sb.SetControls(sandbox.Controls{}); err != nil {
		t.Fatal(err)
	}
	var ch paymentprovider.Charge
	waitUntil(t, "a charge goes through after the outage", func() bool {
		var err error
		ch, err = c.Charge(ctx, "after-outage", "order-after", eur(1000))
		if err != nil && !errors.Is(err, paymentprovider.ErrCircuitOpen) {
			t.Fatalf("charge after the outage: %v", err)
		}
		return err == nil
	})
	if s := c.State(); s.Breaker != paymentprovider.BreakerClosed || ch.Status != paymentprovider.ChargeSucceeded {
		t.Fatalf("after the outage: client state %+v, charge %+v", s, ch)
	}
	if st := sb.Stats(); st.ChargesMade != 1 || st.MaxInFlight > maxConcurrent {
		t.Fatalf("sandbox stats %+v", st)
	}
}

// TestCallerCancellation: a call whose context ends returns the context's
// error at once, without retrying, and the circuit does not count it.
func TestCallerCancellation(t *testing.T) {
	sb, base := startSandbox(t, sandbox.Controls{TimeoutAfterCharge: true})
	c := newClient(t, base, paymentprovider.Config{Timeout: time.Minute, BreakerFailureThreshold: 1})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for sb.Stats().ChargesMade == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	_, err := c.Charge(ctx, "k", "order-1", eur(100))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if s := c.State(); s.Retries != 0 || s.Attempts != 1 || s.Breaker != paymentprovider.BreakerClosed {
		t.Fatalf("client state %+v", s)
	}
}

func TestRecentFailuresKeepTheLast20(t *testing.T) {
	_, base := startSandbox(t, sandbox.Controls{ErrorRate: 1})
	c := newClient(t, base, paymentprovider.Config{Retries: -1, BreakerFailureThreshold: 100})
	for range 25 {
		if _, err := c.Refund(context.Background(), "r", "ch_x"); !errors.Is(err, paymentprovider.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
	}
	s := c.State()
	if len(s.RecentFailures) != 20 {
		t.Fatalf("kept %d failures, want 20", len(s.RecentFailures))
	}
	for i := 1; i < len(s.RecentFailures); i++ {
		if s.RecentFailures[i].At.After(s.RecentFailures[i-1].At) {
			t.Fatalf("failure %d is newer than %d: %+v", i, i-1, s.RecentFailures)
		}
	}
}

func TestRequestsCarryTheTrace(t *testing.T) {
	col := tracingtest.NewCollector(t)
	tp, err := tracing.New(context.Background(), tracing.Config{Endpoint: col.URL, ServiceName: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var mu sync.Mutex
	_, base := startSandbox(t, sandbox.Controls{})
	// A proxy in front of the sandbox notes the traceparent of every request.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("traceparent"))
		mu.Unlock()
		u, _ := url.Parse(base)
		httputil.NewSingleHostReverseProxy(u).ServeHTTP(w, r)
	}))
	defer proxy.Close()
	c := newClient(t, proxy.URL, paymentprovider.Config{TracerProvider: tp})
	ctx := tracing.FromTraceParent(context.Background(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "")
	if _, err := c.Charge(ctx, "k", "order-1", eur(1999)); err != nil {
		t.Fatal(err)
	}
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans := col.WaitFor(t, 5*time.Second, func(s []tracingtest.Span) bool { return len(s) == 1 })
	s := spans[0]
	if s.TraceID != "4bf92f3577b34da6a3ce929d0e0e4736" || s.ParentID != "00f067aa0ba902b7" || !strings.HasPrefix(s.Name, "payment provider POST ") {
		t.Fatalf("span %+v", s)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := "00-4bf92f3577b34da6a3ce929d0e0e4736-" + s.SpanID + "-01"; len(got) != 1 || got[0] != want {
		t.Fatalf("the provider saw traceparent %q, want [%s]", got, want)
	}
}
