package esdb

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/esdb/esdbtest"
)

// TestIdentityThroughThePort: the log's identity works on this adapter
// through the port alone, against the gRPC stand-in: callers racing to
// give the log one all get the same, and another server's log (a wiped
// volume, a new node) gets another.
func TestIdentityThroughThePort(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := newStandInStore(t, esdbtest.Start(t))
	if id, ok, err := eventstore.ReadIdentity(ctx, s); err != nil || ok {
		t.Fatalf("identity of a new log: %s, %v, %v; want none", id, ok, err)
	}
	const callers = 8
	got := make([]eventstore.Identity, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { got[i], errs[i] = eventstore.Identify(ctx, s, time.Now()) })
	}
	wg.Wait()
	for i := range callers {
		if errs[i] != nil || got[i] != got[0] || got[i].IsZero() {
			t.Fatalf("caller %d: %s, %v; caller 0: %s; want one identity", i, got[i], errs[i], got[0])
		}
	}
	if id, ok, err := eventstore.ReadIdentity(ctx, s); err != nil || !ok || id != got[0] {
		t.Fatalf("read identity: %s, %v, %v; want %s", id, ok, err, got[0])
	}
	other, err := eventstore.Identify(ctx, newStandInStore(t, esdbtest.Start(t)), time.Now())
	if err != nil || other.IsZero() || other.ID == got[0].ID {
		t.Fatalf("another server's identity: %s, %v; want a new one, not %s", other, err, got[0])
	}
}
