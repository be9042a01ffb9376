package ratelimit_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/platform/ratelimit"
)

// newPool returns a pool on a fresh, migrated database.
func newPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dbtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// replica is one process's part in a shared limit, joined and beating
// until stop.
type replica struct {
	*ratelimit.Replicas
	stop func()
}

func join(t testing.TB, pool *pgxpool.Pool, name string, ramp time.Duration) *replica {
	t.Helper()
	r, err := ratelimit.NewReplicas(ratelimit.ReplicasConfig{Pool: pool, Name: name, Beat: 250 * time.Millisecond, Ramp: ramp})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Join(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = r.Run(ctx); close(done) }()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return &replica{Replicas: r, stop: stop}
}

// waitLive waits until r counts n live processes.
func waitLive(t testing.TB, r *replica, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for r.Live() != n {
		if time.Now().After(deadline) {
			t.Fatalf("replica sees %d live processes, want %d", r.Live(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// admitted sends n requests as the token, alternating over the servers,
// and returns how many each admitted.
func admitted(t testing.TB, c *client, tok string, n int, servers ...*server) []int {
	t.Helper()
	got := make([]int, len(servers))
	for i := range n {
		if r := c.get(t, servers[i%len(servers)], "/", "Authorization", tok); r.status == http.StatusOK {
			got[i%len(servers)]++
		}
	}
	return got
}

// TestReplicasShareOneLimit: two processes that see each other admit one
// client's limit between them, half each, however the client spreads its
// requests; when one leaves, the other grows to the whole limit.
func TestReplicasShareOneLimit(t *testing.T) {
	pool := newPool(t)
	a := join(t, pool, "a", time.Nanosecond)
	b := join(t, pool, "b", time.Nanosecond)
	waitLive(t, a, 2)
	waitLive(t, b, 2)
	sa := serve(t, ratelimit.Config{RequestsPerMinute: 10, Replicas: a.Replicas})
	sb := serve(t, ratelimit.Config{RequestsPerMinute: 10, Replicas: b.Replicas})
	c := newClient(t, "127.0.0.2")
	tok := token(t, "alice")

	if got := admitted(t, c, tok, 30, sa, sb); got[0] != 5 || got[1] != 5 {
		t.Fatalf("admitted %v over the two processes, want 5 and 5 (10 in all)", got)
	}
	if r := c.get(t, sa, "/"); r.header.Get("X-RateLimit-Limit") != "5" {
		t.Errorf("X-RateLimit-Limit %q, want this process's share, 5", r.header.Get("X-RateLimit-Limit"))
	}

	b.stop()
	waitLive(t, a, 1)
	if got := admitted(t, c, tok, 10, sa); got[0] != 5 {
		t.Fatalf("alone, the process admitted %d more, want 5 (10 in the window with the 5 before)", got[0])
	}
}

// TestJoiningReplicaStartsSmall: a process that joins others admits a
// tenth of the limit at first, so that what the client spent on the others
// is spent again by that much at most; a process alone has the whole
// limit at once.
func TestJoiningReplicaStartsSmall(t *testing.T) {
	pool := newPool(t)
	a := join(t, pool, "a", time.Minute)
	sa := serve(t, ratelimit.Config{RequestsPerMinute: 30, Replicas: a.Replicas})
	c := newClient(t, "127.0.0.2")
	tok := token(t, "alice")
	if got := admitted(t, c, tok, 35, sa); got[0] != 30 {
		t.Fatalf("the only process admitted %d, want the whole limit, 30", got[0])
	}
	b := join(t, pool, "b", time.Minute)
	if b.Live() != 2 {
		t.Fatalf("joining process sees %d, want 2", b.Live())
	}
	sb := serve(t, ratelimit.Config{RequestsPerMinute: 30, Replicas: b.Replicas})
	if got := admitted(t, c, tok, 10, sb); got[0] != 3 {
		t.Fatalf("the joining process admitted %d, want 3 (a tenth of the limit: its share ramps up from there)", got[0])
	}
}

// TestNewReplicasRefusesBadConfig: a missing pool or name, or a negative
// beat or ramp, is an error.
func TestNewReplicasRefusesBadConfig(t *testing.T) {
	pool := newPool(t)
	for name, cfg := range map[string]ratelimit.ReplicasConfig{
		"no pool":       {Name: "a"},
		"no name":       {Pool: pool},
		"negative beat": {Pool: pool, Name: "a", Beat: -time.Second},
		"negative ramp": {Pool: pool, Name: "a", Ramp: -time.Second},
	} {
		if _, err := ratelimit.NewReplicas(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// BenchmarkCharge is what the middleware costs a request: impl=store with
// the limit shared through Replicas (beating in the background), impl=raw
// the per-process limiter alone, in the same run.
func BenchmarkCharge(b *testing.B) {
	pool := newPool(b)
	r := join(b, pool, "bench", time.Nanosecond)
	for _, impl := range []struct {
		name     string
		replicas *ratelimit.Replicas
	}{{"raw", nil}, {"store", r.Replicas}} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			l, err := ratelimit.New(ratelimit.Config{RequestsPerMinute: 1 << 30, Replicas: impl.replicas})
			if err != nil {
				b.Fatal(err)
			}
			h := l.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req = req.WithContext(auth.WithPrincipal(req.Context(), auth.Principal{Subject: "alice", Role: auth.RoleCustomer}))
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("status %d", w.Code)
					}
				}
			})
		})
	}
}
