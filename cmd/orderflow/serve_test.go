package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/platform/logtest"
)

// server is a `orderflow serve` running in the test.
type server struct {
	base   string
	logs   *logtest.Sink
	cancel context.CancelFunc
	done   chan struct{}
	err    error // run's result, once done is closed
}

// startServe runs `orderflow serve` on a free loopback port against
// databaseURL and waits until it listens.
func startServe(t *testing.T, databaseURL string) *server {
	t.Helper()
	return startServeWith(t, map[string]string{"DATABASE_URL": databaseURL, "ORDERFLOW_JWT_SECRET": testJWTSecret})
}

// startServeWith runs `orderflow serve` on a free loopback port with the
// environment vars and the extra flags args, and waits until it listens.
func startServeWith(t *testing.T, vars map[string]string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{logs: &logtest.Sink{}, cancel: cancel, done: make(chan struct{})}
	go func() {
		s.err = run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), envOf(vars), io.Discard, s.logs)
		close(s.done)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	})
	rec := s.logs.WaitFor(t, "http server listening", 30*time.Second)
	s.base = "http://" + rec["addr"].(string)
	return s
}

type reply struct {
	status      int
	contentType string
	body        map[string]any
}

func (s *server) get(t *testing.T, path string) reply {
	t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", path, err)
	}
	r := reply{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type")}
	if err := json.Unmarshal(raw, &r.body); err != nil {
		t.Fatalf("GET %s: body %q is not a JSON object: %v", path, raw, err)
	}
	return r
}

// text GETs path and returns its body, which must come with 200.
func (s *server) text(t *testing.T, path string) string {
	t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s %v", path, resp.StatusCode, raw, err)
	}
	return string(raw)
}

func execSQL(t *testing.T, databaseURL, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestServe(t *testing.T) {
	dbURL := dbtest.NewEmpty(t) // serve migrates it on start-up
	s := startServe(t, dbURL)

	if r := s.get(t, "/healthz"); r.status != http.StatusOK || !reflect.DeepEqual(r.body, map[string]any{"status": "ok"}) {
		t.Errorf("/healthz: got %d %v, want 200 {status: ok}", r.status, r.body)
	}
	want := map[string]any{"status": "ready", "checks": map[string]any{"database": "ok", "eventstore": "ok"}}
	if r := s.get(t, "/readyz"); r.status != http.StatusOK || !reflect.DeepEqual(r.body, want) {
		t.Errorf("/readyz: got %d %v, want 200 %v", r.status, r.body, want)
	}
	if r := s.get(t, "/nowhere"); r.status != http.StatusNotFound || r.contentType != "application/problem+json" || r.body["status"] != 404.0 {
		t.Errorf("/nowhere: got %d %s %v, want a 404 problem", r.status, r.contentType, r.body)
	}
	text := s.text(t, "/metrics")
	for _, line := range []string{
		`orderflow_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`orderflow_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`orderflow_payment_circuit_state{state="closed"} 1`,
		`orderflow_sagas_running{saga="fulfillment"} 0`,
	} {
		if !strings.Contains(text, "\n"+line+"\n") {
			t.Errorf("/metrics lacks %q", line)
		}
	}

	s.cancel()
	select {
	case <-s.done:
		if s.err != nil {
			t.Fatalf("serve returned %v after its context ended, want nil", s.err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	s.logs.WaitFor(t, "orderflow stopped", 0)
}

func TestReadyzReportsWhatIsMissing(t *testing.T) {
	tests := []struct {
		name     string
		breakSQL string // SQL that takes a dependency away
		checks   map[string]any
	}{
		{
			name:     "a migration pending",
			breakSQL: "DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)",
			checks:   map[string]any{"database": "migrations pending", "eventstore": "ok"},
		},
		{
			name:     "event store tables gone",
			breakSQL: "DROP SCHEMA eventstore CASCADE",
			checks:   map[string]any{"database": "ok"}, // eventstore: whatever the adapter says
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbURL := dbtest.NewEmpty(t)
			s := startServe(t, dbURL)
			if r := s.get(t, "/readyz"); r.status != http.StatusOK {
				t.Fatalf("/readyz before: got %d %v, want 200", r.status, r.body)
			}
			execSQL(t, dbURL, tt.breakSQL)

			r := s.get(t, "/readyz")
			if r.status != http.StatusServiceUnavailable || r.contentType != "application/problem+json" {
				t.Fatalf("/readyz: got %d %s %v, want a 503 problem", r.status, r.contentType, r.body)
			}
			checks, _ := r.body["checks"].(map[string]any)
			for name, want := range tt.checks {
				if checks[name] != want {
					t.Errorf("check %s = %v, want %v (body %v)", name, checks[name], want, r.body)
				}
			}
			for name, got := range checks {
				if _, listed := tt.checks[name]; !listed && got == "ok" {
					t.Errorf("check %s = ok, want a failure (body %v)", name, r.body)
				}
			}
			if len(checks) != 2 {
				t.Errorf("checks = %v, want database and eventstore", checks)
			}
			if s.get(t, "/healthz").status != http.StatusOK {
				t.Error("/healthz failed while only a dependency was missing")
			}
		})
	}
}

func TestServeFailsWithoutDatabase(t *testing.T) {
	env := envOf(map[string]string{"DATABASE_URL": "postgres://nobody:nothing@127.0.0.1:1/none?sslmode=disable&connect_timeout=5"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, env, io.Discard, &logtest.Sink{}); err == nil {
		t.Fatal("serve started without a database")
	}
}
