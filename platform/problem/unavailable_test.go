package problem_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/platform/problem"
)

type unavailable struct{ yes bool }

func (u unavailable) Error() string     { return "store unavailable" }
func (u unavailable) Unavailable() bool { return u.yes }

// TestTransientErrors: the SQLSTATEs of a passing outage are transient,
// those of a wrong statement are not; other errors by what they are.
func TestTransientErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain error", errors.New("boom"), false},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"cannot connect now", &pgconn.PgError{Code: "57P03"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"serialization failure, wrapped", fmt.Errorf("append: %w", &pgconn.PgError{Code: "40001"}), true},
		{"deadlock", &pgconn.PgError{Code: "40P01"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"syntax error", &pgconn.PgError{Code: "42601"}, false},
		{"context canceled", context.Canceled, false},
		{"context deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), false},
		{"says unavailable", fmt.Errorf("read: %w", unavailable{yes: true}), true},
		{"says available", unavailable{yes: false}, false},
		{"event store unavailable", fmt.Errorf("append to order-1: %w", eventstore.ErrUnavailable), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := problem.Transient(tc.err); got != tc.want {
				t.Fatalf("Transient(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestTransientRealFailures: a server that refuses connections, a pool
// that cannot acquire one and a backend terminated by an administrator
// are transient; a statement PostgreSQL rejects is not.
func TestTransientRealFailures(t *testing.T) {
	ctx := context.Background()
	down := "postgres://orderflow:orderflow@" + closedPort(t) + "/orderflow?sslmode=disable&connect_timeout=2"
	_, err := pgx.Connect(ctx, down)
	if !problem.Transient(err) {
		t.Errorf("connect refused: Transient(%v) = false", err)
	}
	pool, err := pgxpool.New(ctx, down)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pool.Exec(ctx, "SELECT 1")
	pool.Close()
	if !problem.Transient(err) {
		t.Errorf("pool acquire on a server that is down: Transient(%v) = false", err)
	}

	url := dbtest.New(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "SELCT 1")
	if err == nil || problem.Transient(err) {
		t.Errorf("syntax error: Transient(%v) = true, want false", err)
	}
	_, err = conn.Exec(ctx, "SELECT pg_terminate_backend(pg_backend_pid())")
	if !problem.Transient(err) {
		t.Errorf("terminated backend: Transient(%v) = false", err)
	}
	_, err = conn.Exec(ctx, "SELECT 1")
	if err == nil || !problem.Transient(err) {
		t.Errorf("statement on the dead connection: Transient(%v) = false", err)
	}
}

// TestWriteUnavailable: 503 problem+json with Retry-After and code
// unavailable; a Retry-After already set is kept.
func TestWriteUnavailable(t *testing.T) {
	w := httptest.NewRecorder()
	problem.WriteUnavailable(w, "/api/v1/orders")
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" ||
		w.Header().Get("Content-Type") != problem.ContentType {
		t.Fatalf("got %d, Retry-After %q, Content-Type %q", w.Code, w.Header().Get("Retry-After"), w.Header().Get("Content-Type"))
	}
	w = httptest.NewRecorder()
	w.Header().Set("Retry-After", "5")
	problem.WriteUnavailable(w, "/")
	if got := w.Header().Get("Retry-After"); got != "5" {
		t.Fatalf("Retry-After %q, want the 5 set before", got)
	}
}
