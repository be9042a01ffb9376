package runner_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/paymentprovider"
	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
)

// TestProviderOutageUnderLoad keeps the provider down while orders pour
// in: the circuit opens and parks the payment steps instead of failing the
// orders, no more calls than the bulkhead allows ever reach the provider,
// and when it recovers the circuit closes and every order completes,
// charged once.
func TestProviderOutageUnderLoad(t *testing.T) {
	w := newWorld(t, time.Minute)
	w.product("A", 1999, 1000)
	if err := w.sandbox.SetControls(sandbox.Controls{Outage: true, LatencyMs: 20}); err != nil {
		t.Fatal(err)
	}

	var (
		ids     []string
		mu      sync.Mutex
		wg      sync.WaitGroup
		failure error
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				id, err := w.tryPlace("DE", order.LineRequest{SKU: "A", Quantity: 1})
				mu.Lock()
				ids = append(ids, id)
				if err != nil {
					failure = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if failure != nil {
		t.Fatal(failure)
	}

	opened := false
	for deadline := time.Now().Add(15 * time.Second); !opened && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		opened = w.client.State().Breaker == paymentprovider.BreakerOpen
	}
	if !opened {
		t.Fatalf("the circuit never opened during the outage: %+v", w.client.State())
	}
	// The sagas' calls may all be waiting out the provider's Retry-After
	// now; one made while the circuit is open is refused without reaching
	// the provider.
	if _, err := w.client.Charge(context.Background(), "probe-"+ids[0], "probe", money.Money{Amount: 100, Currency: "EUR"}); !errors.Is(err, paymentprovider.ErrCircuitOpen) {
		t.Fatalf("a charge while the circuit is open: %v, want %v", err, paymentprovider.ErrCircuitOpen)
	}
	time.Sleep(500 * time.Millisecond) // a sustained outage
	for _, id := range ids {
		if s := w.saga(id); s.Finished() {
			t.Fatalf("saga %s ended during the outage: %+v", id, s.History)
		}
	}
	if err := w.sandbox.SetControls(sandbox.Controls{}); err != nil {
		t.Fatal(err)
	}

	for _, id := range ids {
		if s := w.finished(id); !s.Completed {
			t.Fatalf("saga %s after the outage: %+v", id, s.History)
		}
		if n := w.sandbox.Stats().ChargesByReference[id]; n != 1 {
			t.Fatalf("order %s charged %d times", id, n)
		}
	}
	stats, state := w.sandbox.Stats(), w.client.State()
	if stats.MaxInFlight > 3 {
		t.Fatalf("%d calls reached the provider at once; the bulkhead allows 3", stats.MaxInFlight)
	}
	if state.Breaker != paymentprovider.BreakerClosed || state.RejectedByBreaker == 0 {
		t.Fatalf("after recovery: %+v, want a closed circuit that had refused a call", state)
	}
	t.Logf("provider saw at most %d calls at once; the circuit refused %d, the bulkhead %d", stats.MaxInFlight, state.RejectedByBreaker, state.RejectedByBulkhead)
}
