package eventstoretest

import (
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
)

// testIdentity: a log gets one identity, the same for every caller, even
// when several give it one at once, and keeps it. A store on a shared
// server may have its identity already; it must then be returned as is.
func testIdentity(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	before, had, err := eventstore.ReadIdentity(ctx, s)
	if err != nil {
		t.Fatalf("read identity: %v", err)
	}
	start := time.Now()
	const callers = 8
	got := make([]eventstore.Identity, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { got[i], errs[i] = eventstore.Identify(ctx, s, time.Now()) })
	}
	wg.Wait()
	end := time.Now()
	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("identify (caller %d): %v", i, errs[i])
		}
		if got[i] != got[0] {
			t.Fatalf("caller %d got identity %s, caller 0 %s: want one identity", i, got[i], got[0])
		}
	}
	id := got[0]
	switch {
	case id.IsZero():
		t.Fatalf("identify returned the zero identity")
	case had && id != before:
		t.Fatalf("identify returned %s, the log already had %s", id, before)
	case !had && (id.Created.Before(start.Add(-time.Millisecond)) || id.Created.After(end)):
		t.Fatalf("new identity created %s, want between %s and %s", id.Created, start, end)
	}

	again, err := eventstore.Identify(ctx, s, time.Now().Add(time.Hour))
	if err != nil || again != id {
		t.Fatalf("identify again: %s, %v; want %s", again, err, id)
	}
	read, ok, err := eventstore.ReadIdentity(ctx, s)
	if err != nil || !ok || read != id {
		t.Fatalf("read identity: %s, %v, %v; want %s", read, ok, err, id)
	}
	events := readStream(t, s, eventstore.IdentityStream)
	if len(events) != 1 || events[0].ID != id.ID || events[0].Type != eventstore.IdentityType {
		t.Fatalf("%s holds %d events (first %+v), want one %s event with id %s", eventstore.IdentityStream, len(events), events, eventstore.IdentityType, id.ID)
	}
}
