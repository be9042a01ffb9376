package esdb

import (
	"context"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/esdb/esdbtest"
)

// TestIdentityOfEachServer: a new server's log has no identity until one
// is given, and another server's log (a wiped volume, a new node) gets
// another. The contract suite checks the rest (racing callers get one
// identity, it is kept) on this adapter too.
func TestIdentityOfEachServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := newStandInStore(t, esdbtest.Start(t))
	if id, ok, err := eventstore.ReadIdentity(ctx, s); err != nil || ok {
		t.Fatalf("identity of a new log: %s, %v, %v; want none", id, ok, err)
	}
	first, err := eventstore.Identify(ctx, s, time.Now())
	if err != nil || first.IsZero() {
		t.Fatalf("identify: %s, %v", first, err)
	}
	if id, ok, err := eventstore.ReadIdentity(ctx, s); err != nil || !ok || id != first {
		t.Fatalf("read identity: %s, %v, %v; want %s", id, ok, err, first)
	}
	other, err := eventstore.Identify(ctx, newStandInStore(t, esdbtest.Start(t)), time.Now())
	if err != nil || other.IsZero() || other.ID == first.ID {
		t.Fatalf("another server's identity: %s, %v; want a new one, not %s", other, err, first)
	}
}
