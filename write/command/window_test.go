package command_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/command"
)

// TestRetryInsideAndOutsideTheWindow retries keyed commands that the
// handler still remembers and ones it has forgotten (its window holds two
// ids), alone and in a batch with new commands, and from a handler that
// starts cold: each retry returns the original result and writes nothing.
func TestRetryInsideAndOutsideTheWindow(t *testing.T) {
	h, s := newHandler(t)
	command.SetWindow(h, 2)
	ctx := context.Background()
	keyed := func(h *command.Handler, key string) (command.Result, error) {
		return command.Execute(ctx, h, cachedCounters, "w", command.Meta{IdempotencyKey: key}, increment(1000))
	}
	originals := make(map[string]command.Result)
	for i := range 6 {
		key := "k" + strconv.Itoa(i)
		res, err := keyed(h, key)
		if err != nil || res.Replayed {
			t.Fatalf("%s: %+v, %v", key, res, err)
		}
		originals[key] = res
	}
	count := func() int {
		t.Helper()
		stored, err := s.ReadStream(ctx, "counter-w", eventstore.ReadOptions{Count: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(stored)
	}
	check := func(name string, got command.Result, err error, key string) {
		t.Helper()
		want := originals[key]
		if err != nil || !got.Replayed || got.Revision != want.Revision || got.Position != want.Position || len(got.Events) != 1 {
			t.Fatalf("%s: retry of %s = %+v, %v; want the original %+v replayed", name, key, got, err, want)
		}
	}
	for _, key := range []string{"k5", "k4"} { // inside the window
		res, err := keyed(h, key)
		check("inside the window", res, err, key)
	}
	for _, key := range []string{"k0", "k2"} { // forgotten: the store recognises the ids
		res, err := keyed(h, key)
		check("outside the window", res, err, key)
	}
	if n := count(); n != 6 {
		t.Fatalf("stream holds %d events after retries, want 6", n)
	}

	// A forgotten retry decided together with new commands: the store
	// refuses the batch as a partial overlap, and its halves are then
	// settled on their own, down to the retry alone.
	release := holdWriter(t, h, cachedCounters, "w")
	outs := queue(t, h, cachedCounters, "w",
		func() (command.Result, error) { return keyed(h, "new-1") },
		func() (command.Result, error) { return keyed(h, "k1") },
		func() (command.Result, error) { return keyed(h, "new-2") })
	if held := release(); held.err != nil {
		t.Fatal(held.err)
	}
	a, b, c := <-outs[0], <-outs[1], <-outs[2]
	check("outside the window, in a batch", b.res, b.err, "k1")
	if a.err != nil || a.res.Replayed || c.err != nil || c.res.Replayed || c.res.Revision != a.res.Revision+1 {
		t.Fatalf("new commands batched with a forgotten retry: %+v, %+v", a, c)
	}
	if n := count(); n != 9 {
		t.Fatalf("stream holds %d events, want 9", n)
	}

	// A handler that starts cold, as after a restart.
	cold := command.NewHandler(s, time.Now)
	command.SetWindow(cold, 2)
	res, err := keyed(cold, "k3")
	check("cold handler", res, err, "k3")
	if n := count(); n != 9 {
		t.Fatalf("stream holds %d events, want 9", n)
	}
}
