package read

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// TestPageLoaderBatches: owners registered together load in one fetch per
// set of arguments, however many goroutines ask at once; each gets its own
// page; an owner asked for again is not fetched again.
func TestPageLoaderBatches(t *testing.T) {
	var (
		calls   atomic.Int64
		mu      sync.Mutex
		fetched [][]string
	)
	l := newPageLoader(func(_ context.Context, args pageArgs, owners []string) (map[string]string, error) {
		calls.Add(1)
		mu.Lock()
		fetched = append(fetched, slices.Sorted(slices.Values(owners)))
		mu.Unlock()
		out := map[string]string{}
		for _, o := range owners {
			out[o] = o + "/" + args.after
		}
		return out, nil
	})
	owners := []string{"c-1", "c-2", "c-3", "c-4"}
	l.prime(owners...)
	for _, after := range []string{"x", "y"} {
		var wg sync.WaitGroup
		for _, o := range owners {
			wg.Go(func() {
				for range 3 {
					page, ok, err := l.load(context.Background(), pageArgs{first: 2, after: after}, o)
					if err != nil || !ok || page != o+"/"+after {
						t.Errorf("load %s: %q %v %v", o, page, ok, err)
					}
				}
			})
		}
		wg.Wait()
	}
	if calls.Load() != 2 {
		t.Fatalf("%d fetches, want one per set of arguments: %v", calls.Load(), fetched)
	}
	for _, f := range fetched {
		if !slices.Equal(f, owners) {
			t.Fatalf("a fetch of %v, want all of %v", f, owners)
		}
	}
	if _, ok, err := l.load(context.Background(), pageArgs{first: 2, after: "x"}, "c-9"); err != nil || !ok {
		t.Fatalf("an owner not registered: %v %v", ok, err)
	}
	if calls.Load() != 3 {
		t.Fatalf("%d fetches after an owner not registered, want 3", calls.Load())
	}
}

// TestBatcherPanic: a fetch that panics fails every load waiting for it,
// instead of leaving them waiting.
func TestBatcherPanic(t *testing.T) {
	release := make(chan struct{})
	b := newBatcher(func(context.Context, []string) (map[string]int, error) {
		<-release
		panic("boom")
	})
	b.prime("a", "b")
	waiting := make(chan error, 1)
	go func() {
		defer func() { _ = recover() }()
		_, _, _ = b.load(context.Background(), "a") // runs the fetch, and panics
	}()
	go func() {
		for {
			b.mu.Lock()
			_, started := b.calls["b"]
			b.mu.Unlock()
			if started {
				break
			}
		}
		_, _, err := b.load(context.Background(), "b")
		waiting <- err
	}()
	close(release)
	if err := <-waiting; err == nil {
		t.Fatal("a load that waited for a panicking fetch got no error")
	}
}
