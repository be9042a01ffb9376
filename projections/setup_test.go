package projections_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

// testTTL is the lease TTL of the tests: short, so takeovers are quick.
const testTTL = time.Second

// env is one test's database, event store and pool.
type env struct {
	t     testing.TB
	url   string
	store *pg.Store
	pool  *pgxpool.Pool

	mu       sync.Mutex
	appended eventstore.Position // the last event appended through the env
}

// appendEvent appends one event and remembers its position.
func (e *env) appendEvent(ctx context.Context, stream string, ev eventstore.EventData) error {
	res, err := e.store.Append(ctx, stream, eventstore.Any, ev)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.appended.Less(res.Position) {
		e.appended = res.Position
	}
	return nil
}

// lastAppended is the position of the last event appended through the env.
func (e *env) lastAppended() eventstore.Position {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.appended
}

func newEnv(t testing.TB) *env {
	t.Helper()
	url := dbtest.New(t)
	store, err := pg.New(context.Background(), pg.Config{DatabaseURL: url, PollInterval: 20 * time.Millisecond, MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 12
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return &env{t: t, url: url, store: store, pool: pool}
}

// manager returns a Manager of the projections, configured for tests.
func (e *env) manager(owner string, ps ...projections.Projection) *projections.Manager {
	return e.managerWith(projections.Config{Owner: owner, Projections: ps})
}

func (e *env) managerWith(cfg projections.Config) *projections.Manager {
	e.t.Helper()
	cfg.Pool = e.pool
	if cfg.Store == nil {
		cfg.Store = e.store
	}
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = testTTL
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 50
	}
	if cfg.RebuildBatchSize == 0 {
		cfg.RebuildBatchSize = 200
	}
	if cfg.Logger == nil && os.Getenv("PROJECTIONS_TEST_LOG") != "" {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	m, err := projections.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// start runs m until the test ends or the returned stop is called; stop
// waits for Run to return.
func start(t testing.TB, m *projections.Manager) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := m.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func ctxFor(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// appendN appends n events carrying amounts 1..n to streams of the
// "counter" category, spread over the given number of streams.
func (e *env) appendN(n, streams int) {
	e.t.Helper()
	for i := range n {
		if err := e.appendEvent(ctxFor(e.t), fmt.Sprintf("counter-%d", i%streams), projectionstest.Event("counter.added", int64(i+1))); err != nil {
			e.t.Fatal(err)
		}
	}
}

// log reads the whole log, including the last event appended through the
// env. (The global log only shows events below the oldest transaction
// running on the server, which tests running in parallel hold back for
// moments.)
func (e *env) log() []eventstore.RecordedEvent {
	e.t.Helper()
	last := e.lastAppended()
	for deadline := time.Now().Add(30 * time.Second); ; {
		events, err := projectionstest.ReadLog(ctxFor(e.t), e.store)
		if err != nil {
			e.t.Fatal(err)
		}
		if len(events) > 0 && !events[len(events)-1].Position.Less(last) || last.IsZero() {
			return events
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the log does not show %s", last)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// model reads the read model of a Counter through its view.
func (e *env) model(name string) projectionstest.Model {
	e.t.Helper()
	m, err := projectionstest.Read(ctxFor(e.t), e.pool, "readmodel."+name)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// checkpoint reads the checkpoint row of name.
type checkpointRow struct {
	Generation, Version int
	Position            eventstore.Position
}

func (e *env) checkpoint(name string) checkpointRow {
	e.t.Helper()
	var (
		c               checkpointRow
		commit, prepare int64
	)
	err := e.pool.QueryRow(ctxFor(e.t), `SELECT generation, version, commit_pos, prepare_pos FROM projections.checkpoints WHERE name = $1`, name).
		Scan(&c.Generation, &c.Version, &commit, &prepare)
	if err == pgx.ErrNoRows {
		return checkpointRow{}
	}
	if err != nil {
		e.t.Fatal(err)
	}
	c.Position = eventstore.Position{Commit: uint64(commit), Prepare: uint64(prepare)}
	return c
}

// head returns the head of the log.
func (e *env) head() eventstore.Position {
	e.t.Helper()
	h, err := e.store.Head(ctxFor(e.t))
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// await waits for ch to close, failing the test after 30 seconds.
func await(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// waitCaughtUp waits until the checkpoint of name has reached the head
// and the last event appended through the env.
func (e *env) waitCaughtUp(name string) {
	e.t.Helper()
	head := e.head()
	if last := e.lastAppended(); head.Less(last) {
		head = last
	}
	waitFor(e.t, 30*time.Second, name+" to reach "+head.String(), func() bool {
		return !e.checkpoint(name).Position.Less(head)
	})
}

// schemas lists the generation schemas of name.
func (e *env) schemas(name string) []string {
	e.t.Helper()
	rows, err := e.pool.Query(ctxFor(e.t), `SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 ORDER BY nspname`, "proj\\_"+name+"\\_%")
	if err != nil {
		e.t.Fatal(err)
	}
	s, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}
