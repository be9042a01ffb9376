// Package readmodelstest holds what the tests of the read models share: a
// database with an event store and the write side on it (Env), a running
// fulfillment saga against a sandbox payment provider (Saga), a history
// that holds every kind of event (History), and a dump of a projection's
// tables to compare read models by (Dump).
package readmodelstest

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/service"
)

// LeaseTTL is the projections' lease TTL in tests: short, so that a
// runner that was stopped is replaced quickly.
const LeaseTTL = time.Second

// Env is one test's database: a fresh, migrated PostgreSQL database, the
// event store on it, a pool for the projections and the write side, whose
// events take their time from Clock.
type Env struct {
	T       testing.TB
	URL     string
	Store   *pg.Store
	Pool    *pgxpool.Pool
	Clock   *Clock
	Service *service.Service

	ctx     context.Context
	written *written
}

// written is the position of the last event written through an Env and
// its copies, and the count of orders History placed.
type written struct {
	mu     sync.Mutex
	last   eventstore.Position
	orders atomic.Int64
}

// New returns an Env of its own for the test; everything is closed and
// the database dropped when the test ends.
func New(t testing.TB) *Env {
	t.Helper()
	url := dbtest.New(t)
	store, err := pg.New(context.Background(), pg.Config{DatabaseURL: url, PollInterval: 20 * time.Millisecond, MaxConns: 12})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	clock := NewClock(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	return &Env{
		T: t, URL: url, Store: store, Pool: pool, Clock: clock, ctx: ctx, written: &written{},
		Service: service.New(command.NewHandler(store, clock.Now), nil),
	}
}

// Ctx returns a context that ends with the test, or after five minutes.
func (e *Env) Ctx() context.Context { return e.ctx }

// Manager returns a Manager of ps on the Env's database, configured for
// tests: short lease, small batches, logs on stderr when
// PROJECTIONS_TEST_LOG is set.
func (e *Env) Manager(owner string, ps ...projections.Projection) *projections.Manager {
	e.T.Helper()
	return e.ManagerWith(projections.Config{Owner: owner, Projections: ps})
}

// ManagerWith is Manager with more of the Config chosen by the caller;
// Pool, and Store when nil, are the Env's.
func (e *Env) ManagerWith(cfg projections.Config) *projections.Manager {
	e.T.Helper()
	cfg.Pool = e.Pool
	if cfg.Store == nil {
		cfg.Store = e.Store
	}
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = LeaseTTL
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 50
	}
	if cfg.RebuildBatchSize == 0 {
		cfg.RebuildBatchSize = 300
	}
	if cfg.Logger == nil && os.Getenv("PROJECTIONS_TEST_LOG") != "" {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	m, err := projections.New(cfg)
	if err != nil {
		e.T.Fatal(err)
	}
	return m
}

// Run runs m until the test ends or stop is called; stop waits for Run to
// return, and fails the test if Run failed.
func (e *Env) Run(m *projections.Manager) (stop func()) {
	e.T.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := m.Run(ctx); err != nil {
			e.T.Errorf("Run: %v", err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	e.T.Cleanup(stop)
	return stop
}

// Wrote notes that an event at pos was written: Visible and CaughtUp wait
// for it.
func (e *Env) Wrote(pos eventstore.Position) {
	e.written.mu.Lock()
	defer e.written.mu.Unlock()
	if e.written.last.Less(pos) {
		e.written.last = pos
	}
}

// Last returns the position of the last event written through the Env.
func (e *Env) Last() eventstore.Position {
	e.written.mu.Lock()
	defer e.written.mu.Unlock()
	return e.written.last
}

// For returns the Env reporting to t, a subtest: it shares everything
// else with e.
func (e *Env) For(t testing.TB) *Env {
	c := *e
	c.T = t
	return &c
}

// Visible waits until the global log shows every event written through
// the Env and returns the head. (The log only shows events below the
// oldest transaction running on the server, which tests running in
// parallel hold back for moments.)
func (e *Env) Visible() eventstore.Position {
	e.T.Helper()
	last := e.Last()
	var head eventstore.Position
	WaitFor(e.T, 30*time.Second, "the log to show "+last.String(), func() bool {
		var err error
		if head, err = e.Store.Head(e.Ctx()); err != nil {
			e.T.Fatal(err)
		}
		return !head.Less(last)
	})
	return head
}

// Checkpoint returns the checkpoint of projection name and its live
// generation; zeros when it has none.
func (e *Env) Checkpoint(name string) (eventstore.Position, int) {
	e.T.Helper()
	var (
		commit, prepare int64
		gen             int
	)
	err := e.Pool.QueryRow(e.Ctx(), `SELECT commit_pos, prepare_pos, generation FROM projections.checkpoints WHERE name = $1`, name).
		Scan(&commit, &prepare, &gen)
	if err != nil {
		return eventstore.Position{}, 0
	}
	return eventstore.Position{Commit: uint64(commit), Prepare: uint64(prepare)}, gen
}

// CaughtUp waits until the checkpoints of every projection named have
// reached the head of the log, once the log shows every event written
// through the Env.
func (e *Env) CaughtUp(names ...string) {
	e.T.Helper()
	head := e.Visible()
	for _, name := range names {
		WaitFor(e.T, 60*time.Second, name+" to reach "+head.String(), func() bool {
			cp, _ := e.Checkpoint(name)
			return !cp.Less(head)
		})
	}
}

// Log reads the whole global log, once it shows every event written
// through the Env.
func (e *Env) Log() []eventstore.RecordedEvent {
	e.T.Helper()
	e.Visible()
	var (
		out  []eventstore.RecordedEvent
		from eventstore.Position
	)
	for {
		page, err := e.Store.ReadAll(e.Ctx(), from, 4096)
		if err != nil {
			e.T.Fatal(err)
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		from = page[len(page)-1].Position
	}
}

// Stream reads every event of stream; the Env then counts them as
// written (see WroteStream), whoever wrote them.
func (e *Env) Stream(stream string) []eventstore.RecordedEvent {
	e.T.Helper()
	events, err := e.Store.ReadStream(e.Ctx(), stream, eventstore.ReadOptions{Count: 10_000})
	if err != nil {
		e.T.Fatal(err)
	}
	if len(events) > 0 {
		e.Wrote(events[len(events)-1].Position)
	}
	return events
}

// WaitFor polls cond until it holds, failing the test after timeout.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Parked returns the dead letters of projection name, reason by event id.
func (e *Env) Parked(m *projections.Manager, name string) map[uuid.UUID]string {
	e.T.Helper()
	letters, err := m.DeadLetters(e.Ctx(), name)
	if err != nil {
		e.T.Fatal(err)
	}
	out := make(map[uuid.UUID]string, len(letters))
	for _, d := range letters {
		out[d.EventID] = d.Reason
	}
	return out
}

// WroteStream notes that the events of stream written so far, by anyone,
// were written: Visible and CaughtUp then wait for them too.
func (e *Env) WroteStream(stream string) {
	e.T.Helper()
	events, err := e.Store.ReadStream(e.Ctx(), stream, eventstore.ReadOptions{Direction: eventstore.Backwards, From: eventstore.End, Count: 1})
	if err != nil {
		e.T.Fatal(err)
	}
	if len(events) > 0 {
		e.Wrote(events[0].Position)
	}
}
