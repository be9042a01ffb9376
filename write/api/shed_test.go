package api_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/platform/problem"
	"github.com/orderflow/orderflow/write/api"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/service"
)

// newShedEnv is newEnv with a load shedder of cfg (its Pool set to the
// test's database) in front of POST /orders, running until the test ends.
func newShedEnv(t *testing.T, cfg api.ShedConfig) (*env, *api.Shedder) {
	t.Helper()
	dbURL := dbtest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	store, err := pg.New(ctx, pg.Config{DatabaseURL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	catalog := service.NewCatalog()
	go func() { _ = catalog.Run(ctx, store) }()
	svc := service.New(command.NewHandler(store, time.Now), catalog)
	verifier, err := auth.NewVerifier(auth.Config{Secret: testSecret, Issuer: testIssuer, Audience: testAudience})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Pool = pool
	shed := api.NewShedder(cfg)
	r := chi.NewRouter()
	r.Use(verifier.Middleware)
	r.Mount(api.Prefix, api.New(api.Config{Service: svc, Pool: pool, Shedder: shed}).Routes())
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &env{t: t, url: srv.URL + api.Prefix, store: store, svc: svc, pool: pool, admin: bearer(t, testAdmin, auth.RoleAdmin)}, shed
}

// load inserts n running sagas and a live payment client report per
// owner, each with a bulkhead of slots and the latency latencyMs.
func (e *env) load(n int, slots int, latencyMs float64, owners ...string) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.pool.Exec(ctx, `INSERT INTO sagas.active (saga, saga_id, wake_at)
		SELECT 'fulfillment', 'o-' || i, now() + interval '1 hour' FROM generate_series(1, $1) AS i`, n); err != nil {
		e.t.Fatal(err)
	}
	for _, o := range owners {
		if _, err := e.pool.Exec(ctx, `INSERT INTO sagas.payment_client_state (owner, state) VALUES ($1, jsonb_build_object('maxConcurrent', $2::int, 'latencyMs', $3::float8))`,
			o, slots, latencyMs); err != nil {
			e.t.Fatal(err)
		}
	}
}

// runShedder runs s until the test ends and waits for its first reading
// of the load to show inFlight orders.
func runShedder(t *testing.T, s *api.Shedder, inFlight int64) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	for deadline := time.Now().Add(15 * time.Second); s.Load().InFlight != inFlight; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the shedder never read the load: %+v", s.Load())
		}
	}
}

// TestShedderDerivesCapacity: the capacity is the saga processes'
// bulkheads over their observed latency (charges per second) times half
// the payment window, all read from PostgreSQL.
func TestShedderDerivesCapacity(t *testing.T) {
	e, s := newShedEnv(t, api.ShedConfig{PaymentWindow: 10 * time.Second, Interval: time.Hour})
	e.load(3, 8, 200, "saga-a", "saga-b")
	runShedder(t, s, 3)
	// 2 processes x 8 slots / 0.2 s = 80 charges/s; x 10 s x 0.5 = 400.
	if l := s.Load(); l.ChargesPerSecond != 80 || l.Capacity != 400 {
		t.Fatalf("load %+v, want 80 charges/s and a capacity of 400", l)
	}
}

// TestShedderRefusesOrdersBeyondCapacity: with the capacity forced to 2
// and one order in flight, the next order is accepted and the one after
// is refused with 503, problem code overloaded and a Retry-After, placing
// nothing; other commands are never refused.
func TestShedderRefusesOrdersBeyondCapacity(t *testing.T) {
	var shed atomic.Int64
	e, s := newShedEnv(t, api.ShedConfig{PaymentWindow: time.Minute, Capacity: 2, Interval: time.Hour, OnShed: func() { shed.Add(1) }})
	e.catalog()
	e.load(1, 4, 100, "saga-a") // 40 charges/s
	runShedder(t, s, 1)

	e.mustPost(202, "/orders", validOrder, "Idempotency-Key", "first")
	before := e.eventCount()
	r := e.post("/orders", validOrder, "Idempotency-Key", "second")
	if r.status != 503 || r.header.Get("Retry-After") != "1" || !strings.HasPrefix(r.header.Get("Content-Type"), problem.ContentType) {
		t.Fatalf("order beyond capacity: %d %v %s", r.status, r.header, r.body)
	}
	if body := r.json(t); body["code"] != "overloaded" || body["type"] != api.ProblemTypePrefix+"overloaded" || body["retryAfter"] != float64(1) {
		t.Fatalf("problem %v", body)
	}
	if n := e.eventCount(); n != before || shed.Load() != 1 {
		t.Fatalf("the refused order wrote %d events; %d refusals counted", n-before, shed.Load())
	}
	if l := s.Load(); l.InFlight != 2 || l.Capacity != 2 {
		t.Fatalf("load %+v, want 2 in flight of 2", l)
	}
	e.mustPost(202, "/products/SKU-1/stock", `{"quantity":1}`)
}
