package adminapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/adminapi"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

// env is a database with an event store, a running Manager of one Counter
// projection named "counter", and the API on a real socket.
type env struct {
	store   *pg.Store
	pool    *pgxpool.Pool
	manager *projections.Manager
	counter *projectionstest.Counter
	url     string // base URL of the API
	last    eventstore.Position
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	dbURL := dbtest.New(t)
	store, err := pg.New(ctx, pg.Config{DatabaseURL: dbURL, PollInterval: 20 * time.Millisecond, MaxConns: 6})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	counter := projectionstest.NewCounter("counter", 1)
	m, err := projections.New(projections.Config{Pool: pool, Store: store, Projections: []projections.Projection{counter},
		LeaseTTL: time.Second, BatchSize: 50, RebuildBatchSize: 20})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := m.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
	srv := httptest.NewServer(http.StripPrefix(adminapi.Prefix, adminapi.New(adminapi.Config{Manager: m, Jobs: ctx}).Routes()))
	t.Cleanup(srv.Close)
	return &env{store: store, pool: pool, manager: m, counter: counter, url: srv.URL}
}

// add appends n counter events to one stream.
func (e *env) add(t *testing.T, n int, data func(i int) eventstore.EventData) {
	t.Helper()
	for i := range n {
		res, err := e.store.Append(context.Background(), fmt.Sprintf("counter-%d", i%3), eventstore.Any, data(i))
		if err != nil {
			t.Fatal(err)
		}
		e.last = res.Position
	}
}

// caughtUp waits until the counter's checkpoint reaches the last event
// appended.
func (e *env) caughtUp(t *testing.T) projections.Status {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		all, err := e.manager.Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// Right after a first build or a swap the runner takes the lease
		// back, "stopped" until it has.
		if s := all[0]; !s.Position.Less(e.last) && s.Generation > 0 && s.Rebuild == nil && s.State == projections.StateLive {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("counter never reached %s: %+v", e.last, all[0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// do sends a request and decodes the JSON answer into out (when not nil).
func (e *env) do(t *testing.T, method, path string, wantStatus int, out any) http.Header {
	t.Helper()
	req, err := http.NewRequest(method, e.url+adminapi.Prefix+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != wantStatus {
		t.Fatalf("%s %s = %d %s, want %d", method, path, res.StatusCode, body, wantStatus)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, body)
		}
	}
	return res.Header
}

func amount(i int) eventstore.EventData { return projectionstest.Event("counter.added", int64(i+1)) }

func TestStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.add(t, 30, amount)
	want := e.caughtUp(t)
	var got struct {
		Projections []struct {
			Name, State, Position string
			Generation, Version   int
			Behind, DeadLetters   int64
		}
	}
	h := e.do(t, http.MethodGet, "/", http.StatusOK, &got)
	if ct := h.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if len(got.Projections) != 1 {
		t.Fatalf("projections = %+v, want one", got.Projections)
	}
	p := got.Projections[0]
	if p.Name != "counter" || p.Generation != want.Generation || p.Version != 1 || p.DeadLetters != 0 || p.Position < want.Position.String() {
		t.Errorf("status = %+v, want counter at generation %d, version 1, at or past %s", p, want.Generation, want.Position)
	}
	if p.State != string(projections.StateLive) && p.State != string(projections.StateCatchingUp) {
		t.Errorf("state = %q", p.State)
	}
}

func TestRebuildSwapsInANewGeneration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.add(t, 60, amount)
	before := e.caughtUp(t)
	var started struct{ Name, Status string }
	e.do(t, http.MethodPost, "/counter/rebuild", http.StatusAccepted, &started)
	if started.Name != "counter" || (started.Status != "running" && started.Status != "finished") {
		t.Fatalf("answer = %+v", started)
	}
	after := e.caughtUp(t)
	if after.Generation != before.Generation+1 {
		t.Fatalf("generation %d after the rebuild, want %d", after.Generation, before.Generation+1)
	}
	var n int64
	if err := e.pool.QueryRow(context.Background(), `SELECT sum(events) FROM readmodel.counter`).Scan(&n); err != nil || n != 60 {
		t.Fatalf("rebuilt model counts %d events (%v), want 60", n, err)
	}
}

func TestRebuildWhileOneRunsConflicts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.add(t, 60, amount)
	e.caughtUp(t)
	// A rebuild that stalls after its first batch holds the rebuild lock.
	release := make(chan struct{})
	stalled := make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	go func() {
		_, err := e.manager.Rebuild(context.Background(), "counter", func(int64, int64, float64) {
			once.Do(func() { close(stalled) })
			<-release
		})
		done <- err
	}()
	<-stalled
	var p struct {
		Type   string
		Status int
		Detail string
	}
	h := e.do(t, http.MethodPost, "/counter/rebuild", http.StatusConflict, &p)
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("stalled rebuild: %v", err)
	}
	if h.Get("Content-Type") != "application/problem+json" || p.Type != "urn:orderflow:problem:rebuild-running" ||
		p.Detail != "a rebuild of counter is already running" {
		t.Fatalf("answer = %+v (%s)", p, h.Get("Content-Type"))
	}
}

func TestUnknownProjection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tt := range []struct{ method, path string }{
		{http.MethodPost, "/nope/rebuild"},
		{http.MethodGet, "/nope/dead-letters"},
		{http.MethodPost, "/nope/redrive"},
	} {
		var p struct{ Type, Detail string }
		e.do(t, tt.method, tt.path, http.StatusNotFound, &p)
		if p.Type != "urn:orderflow:problem:unknown-projection" || p.Detail != `no projection is named "nope"` {
			t.Errorf("%s %s = %+v", tt.method, tt.path, p)
		}
	}
}

func TestDeadLettersAndRedrive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.counter.Reject(func(ev eventstore.RecordedEvent) error {
		if ev.Type == "counter.poison" {
			return errors.New("poison refused")
		}
		return nil
	})
	e.add(t, 10, func(i int) eventstore.EventData {
		if i == 4 || i == 7 {
			return projectionstest.Event("counter.poison", 100)
		}
		return amount(i)
	})
	e.caughtUp(t)
	var parked struct {
		DeadLetters []struct {
			ID             int64
			Type, Reason   string
			Stream         string
			Revision       uint64
			Attempts       int
			Position       string
			EventID        string
			RetriedAt      *time.Time
			ParkedAt       time.Time
			ProjectionName string `json:"projection"`
		}
	}
	e.do(t, http.MethodGet, "/counter/dead-letters", http.StatusOK, &parked)
	if len(parked.DeadLetters) != 2 {
		t.Fatalf("dead letters = %+v, want 2", parked.DeadLetters)
	}
	for _, d := range parked.DeadLetters {
		if d.Type != "counter.poison" || d.Reason != "poison refused" || d.Attempts != 1 || d.ProjectionName != "counter" || d.RetriedAt != nil {
			t.Errorf("dead letter = %+v", d)
		}
	}
	first := parked.DeadLetters[0].ID

	var p struct{ Type string }
	e.do(t, http.MethodPost, "/counter/redrive?id=abc", http.StatusBadRequest, &p)
	e.do(t, http.MethodPost, "/counter/redrive?id=999999", http.StatusNotFound, &p)
	if p.Type != "urn:orderflow:problem:dead-letter-not-found" {
		t.Errorf("unknown id: type %q", p.Type)
	}

	// Still refused: the redrive fails again and says so.
	var res struct {
		Applied int
		Failed  []struct{ Attempts int }
	}
	e.do(t, http.MethodPost, fmt.Sprintf("/counter/redrive?id=%d", first), http.StatusOK, &res)
	if res.Applied != 0 || len(res.Failed) != 1 || res.Failed[0].Attempts != 2 {
		t.Fatalf("redrive of a still-poisonous event = %+v", res)
	}
	e.counter.Reject(nil)
	e.do(t, http.MethodPost, "/counter/redrive", http.StatusOK, &res)
	if res.Applied != 2 || len(res.Failed) != 0 {
		t.Fatalf("redrive = %+v, want 2 applied", res)
	}
	e.do(t, http.MethodGet, "/counter/dead-letters", http.StatusOK, &parked)
	if len(parked.DeadLetters) != 0 {
		t.Fatalf("dead letters after redrive = %+v", parked.DeadLetters)
	}
	var sum int64
	if err := e.pool.QueryRow(context.Background(), `SELECT sum(events) FROM readmodel.counter`).Scan(&sum); err != nil || sum != 10 {
		t.Fatalf("model counts %d events (%v), want 10", sum, err)
	}
}

func TestStatusErrorsDoNotLeak(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.pool.Close() // every query now fails
	res, err := http.Get(e.url + adminapi.Prefix + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusInternalServerError || strings.Contains(string(body), "pool") || strings.Contains(string(body), "closed") {
		t.Fatalf("answer %d %s", res.StatusCode, body)
	}
}
