package read

import (
	"context"
	"fmt"
	"sync"
)

// batcher loads values by key for one request, many keys per query.
//
// Keys are registered ahead with prime, by whoever obtained them as a set
// (the customers of a page of orders register their ids with the loader
// of their own orders).
// The first load of a key that is not loaded yet fetches that key and
// every registered key not yet loaded, in one call of fetch; later loads
// of any of those keys wait for that call and share its result. Keys are
// loaded at most once per request. Unlike a loader that gathers the keys
// asked for within a time window, the batches do not depend on goroutine
// scheduling: a page costs one query per loader, always.
//
// A batcher is safe for concurrent use.
type batcher[K comparable, V any] struct {
	// fetch returns the values of keys; a key without a value is absent
	// from the map.
	fetch func(ctx context.Context, keys []K) (map[K]V, error)

	mu      sync.Mutex
	pending []K
	queued  map[K]bool
	calls   map[K]*batchCall[K, V]
}

// batchCall is one call of fetch; done is closed once values and err are
// set.
type batchCall[K comparable, V any] struct {
	done   chan struct{}
	values map[K]V
	err    error
}

func newBatcher[K comparable, V any](fetch func(ctx context.Context, keys []K) (map[K]V, error)) *batcher[K, V] {
	return &batcher[K, V]{fetch: fetch, queued: make(map[K]bool), calls: make(map[K]*batchCall[K, V])}
}

// prime registers keys for the next fetch. Keys loaded or registered
// already are ignored.
func (b *batcher[K, V]) prime(keys ...K) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, k := range keys {
		if _, loaded := b.calls[k]; loaded || b.queued[k] {
			continue
		}
		b.queued[k] = true
		b.pending = append(b.pending, k)
	}
}

// load returns the value of key, and whether it has one.
func (b *batcher[K, V]) load(ctx context.Context, key K) (V, bool, error) {
	b.mu.Lock()
	call, loaded := b.calls[key]
	if !loaded {
		keys := b.pending
		if !b.queued[key] {
			keys = append(keys, key)
		}
		b.pending, b.queued = nil, make(map[K]bool)
		call = &batchCall[K, V]{done: make(chan struct{})}
		for _, k := range keys {
			b.calls[k] = call
		}
		b.mu.Unlock()
		b.run(ctx, call, keys)
	} else {
		b.mu.Unlock()
	}
	select {
	case <-call.done:
	case <-ctx.Done():
		var zero V
		return zero, false, ctx.Err()
	}
	v, ok := call.values[key]
	return v, ok, call.err
}

// run calls fetch for call, closing call.done whatever happens, so that a
// panicking fetch cannot leave the other loads waiting.
func (b *batcher[K, V]) run(ctx context.Context, call *batchCall[K, V], keys []K) {
	defer close(call.done)
	defer func() {
		if v := recover(); v != nil {
			call.err = fmt.Errorf("batch load panicked: %v", v)
			panic(v)
		}
	}()
	call.values, call.err = b.fetch(ctx, keys)
}

// pageArgs are the arguments of a connection field, and what its items'
// selections need loaded.
type pageArgs struct {
	first int
	after string
	needs orderNeeds
}

// pageLoader loads a page of a connection per owner (a customer's orders,
// its notifications) for one request, one query for every owner that
// asks with the same arguments. Owners are registered ahead with prime,
// as for batcher. It is safe for concurrent use.
type pageLoader[V any] struct {
	fetch func(ctx context.Context, args pageArgs, owners []string) (map[string]V, error)

	mu     sync.Mutex
	owners []string
	byArgs map[pageArgs]*batcher[string, V]
}

func newPageLoader[V any](fetch func(ctx context.Context, args pageArgs, owners []string) (map[string]V, error)) *pageLoader[V] {
	return &pageLoader[V]{fetch: fetch, byArgs: make(map[pageArgs]*batcher[string, V])}
}

// prime registers owners for the next fetch with any arguments.
func (p *pageLoader[V]) prime(owners ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.owners = append(p.owners, owners...)
	for _, b := range p.byArgs {
		b.prime(owners...)
	}
}

// load returns the page of owner.
func (p *pageLoader[V]) load(ctx context.Context, args pageArgs, owner string) (V, bool, error) {
	p.mu.Lock()
	b, ok := p.byArgs[args]
	if !ok {
		b = newBatcher(func(ctx context.Context, owners []string) (map[string]V, error) {
			return p.fetch(ctx, args, owners)
		})
		b.prime(p.owners...)
		p.byArgs[args] = b
	}
	p.mu.Unlock()
	return b.load(ctx, owner)
}
