package lease_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/platform/lease"
)

// startWaker runs a Waker on pool's database until the test ends and
// returns it once it listens.
func startWaker(t *testing.T, pool *pgxpool.Pool) *lease.Waker {
	t.Helper()
	w := lease.NewWaker(pool.Config().ConnConfig, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("waker: %v", err)
		}
	})
	select {
	case <-w.Listening():
	case err := <-done:
		t.Fatalf("waker stopped before listening: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("waker not listening after 30s")
	}
	return w
}

// TestAwaitWokenByRelease: a standby awaiting a held lease, polling only
// every hour, takes it as soon as its holder releases it: the only thing
// that can make it try again is the release's notification, heard by the
// Waker. The hook proves its first attempt was refused before the release.
func TestAwaitWokenByRelease(t *testing.T) {
	t.Parallel()
	const ttl = time.Minute
	pool := newPool(t)
	w := startWaker(t, pool)
	a := holder(t, "a", ttl)
	b, err := lease.New(lease.Config{Owner: "b", TTL: ttl, Waker: w})
	if err != nil {
		t.Fatal(err)
	}
	ga := acquireOne(t, pool, a, "r")
	attempts := make(chan string, 16)
	lease.OnRefused(b, func(name string) { attempts <- name })

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := make(chan lease.Grant, 1)
	go func() {
		g, err := b.Await(ctx, pool, "r", time.Hour)
		if err != nil {
			t.Errorf("await: %v", err)
		}
		got <- g
	}()
	if name := <-attempts; name != "r" {
		t.Fatalf("refused attempt at %q, want r", name)
	}
	// A release of another lease wakes nobody waiting for r.
	acquireOne(t, pool, a, "other")
	if err := a.Release(context.Background(), pool, lease.Tenure{Name: "other", Owner: "a", Epoch: 1}); err != nil {
		t.Fatal(err)
	}
	if err := a.Release(context.Background(), pool, ga.Tenure); err != nil {
		t.Fatal(err)
	}
	gb := <-got
	if gb.Owner != "b" || gb.Name != "r" || gb.Epoch != ga.Epoch+1 {
		t.Fatalf("b got %+v, want r at epoch %d", gb, ga.Epoch+1)
	}
	close(attempts)
	if n := len(attempts); n != 0 {
		t.Errorf("b was refused %d more times after the release of r or other, want none", n)
	}
}

// TestWakerReconnects: when the Waker's connection is lost, it connects
// and listens again, wakes its subscribers then (a release may have gone
// unheard), and hears the releases after.
func TestWakerReconnects(t *testing.T) {
	t.Parallel()
	pool := newPool(t)
	w := startWaker(t, pool)
	wake, unsubscribe := w.Subscribe(func(name string) bool { return name == "r" })
	defer unsubscribe()
	a := holder(t, "a", time.Minute)

	var killed int
	if err := pool.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'orderflow lease waker'`).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("terminated %d waker connections, want 1", killed)
	}
	select {
	case <-wake: // listening again
	case <-time.After(30 * time.Second):
		t.Fatal("no wake-up 30s after the waker's connection was lost")
	}
	select {
	case <-wake:
		t.Fatal("woken twice with nothing released")
	default:
	}

	ga := acquireOne(t, pool, a, "r")
	if err := a.Release(context.Background(), pool, ga.Tenure); err != nil {
		t.Fatal(err)
	}
	select {
	case <-wake:
	case <-time.After(30 * time.Second):
		t.Fatal("the release of r after the reconnection went unheard for 30s")
	}
}
