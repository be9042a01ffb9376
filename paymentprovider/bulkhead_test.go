package paymentprovider_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/paymentprovider"
	"github.com/orderflow/orderflow/paymentprovider/sandbox"
)

// TestBulkheadBoundsTheProvider: with a provider far slower than the
// attempt's timeout, the attempts give up on their requests, yet the
// requests still under way keep their slots, so the provider never
// handles more of them at once than the bulkhead allows; and every charge
// is made once at most.
func TestBulkheadBoundsTheProvider(t *testing.T) {
	const maxConcurrent, calls = 3, 12
	sb, base := startSandbox(t, sandbox.Controls{LatencyMs: 1500})
	c := newClient(t, base, paymentprovider.Config{
		MaxConcurrent: maxConcurrent, Timeout: 150 * time.Millisecond, MaxWait: time.Minute,
		Retries: 2, BreakerFailureThreshold: 1000,
	})
	var wg sync.WaitGroup
	errs := make([]error, calls)
	for i := range calls {
		wg.Go(func() {
			_, errs[i] = c.Charge(context.Background(), fmt.Sprintf("bound-%d", i), fmt.Sprintf("order-%d", i), eur(1000))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil && !errors.Is(err, paymentprovider.ErrUnavailable) {
			t.Fatalf("charge %d: %v", i, err)
		}
	}
	// A given-up exchange keeps its slot until its response arrives, just
	// after the provider has counted it done.
	waitUntil(t, "the exchanges given up on end and free their slots", func() bool {
		s := c.State()
		return sb.Stats().InFlight == 0 && s.InFlight == 0 && s.Waiting == 0
	})
	st := sb.Stats()
	if st.MaxInFlight != maxConcurrent {
		t.Fatalf("the provider handled %d requests at once, want exactly the bulkhead's %d: %+v", st.MaxInFlight, maxConcurrent, st)
	}
	for ref, n := range st.ChargesByReference {
		if n != 1 {
			t.Fatalf("%s charged %d times", ref, n)
		}
	}
}

// TestFullBulkheadQueues: calls beyond the bulkhead wait their turn
// rather than fail, and all of them are charged.
func TestFullBulkheadQueues(t *testing.T) {
	const maxConcurrent, calls = 2, 16
	sb, base := startSandbox(t, sandbox.Controls{LatencyMs: 50})
	c := newClient(t, base, paymentprovider.Config{MaxConcurrent: maxConcurrent})
	var wg sync.WaitGroup
	errs := make([]error, calls)
	for i := range calls {
		wg.Go(func() {
			_, errs[i] = c.Charge(context.Background(), fmt.Sprintf("queue-%d", i), fmt.Sprintf("order-%d", i), eur(1000))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("charge %d behind a full bulkhead: %v", i, err)
		}
	}
	st, s := sb.Stats(), c.State()
	if st.ChargesMade != calls || st.MaxInFlight != maxConcurrent || s.RejectedByBulkhead != 0 {
		t.Fatalf("sandbox %+v, client %+v: want %d charges, %d at once, none refused", st, s, calls, maxConcurrent)
	}
	if s.LatencyMs < 50 {
		t.Fatalf("latency %.1f ms, want at least the sandbox's 50", s.LatencyMs)
	}
}
