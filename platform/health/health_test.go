package health_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/health"
)

func get(t *testing.T, h http.Handler) (status int, contentType string, body map[string]any) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", raw, err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

func TestLive(t *testing.T) {
	status, ct, body := get(t, http.HandlerFunc(health.Live))
	if status != http.StatusOK || ct != "application/json" || body["status"] != "ok" {
		t.Fatalf("got %d %s %v, want 200 application/json {status: ok}", status, ct, body)
	}
}

func pass(context.Context) error { return nil }

func TestReady(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name       string
		checks     []health.Check
		wantStatus int
		wantType   string
		want       map[string]any
	}{
		{
			name:       "no checks",
			wantStatus: http.StatusOK, wantType: "application/json",
			want: map[string]any{"status": "ready", "checks": map[string]any{}},
		},
		{
			name:       "all pass",
			checks:     []health.Check{{"database", pass}, {"eventstore", pass}},
			wantStatus: http.StatusOK, wantType: "application/json",
			want: map[string]any{"status": "ready", "checks": map[string]any{"database": "ok", "eventstore": "ok"}},
		},
		{
			name: "one fails",
			checks: []health.Check{{"database", pass}, {"eventstore", func(context.Context) error {
				return errors.New("connection refused")
			}}},
			wantStatus: http.StatusServiceUnavailable, wantType: "application/problem+json",
			want: map[string]any{
				"type": "about:blank", "title": "Not ready", "status": 503.0, "detail": "failed checks: eventstore",
				"checks": map[string]any{"database": "ok", "eventstore": "connection refused"},
			},
		},
		{
			name: "a panic is a failure",
			checks: []health.Check{{"database", func(context.Context) error {
				panic("nil pool")
			}}},
			wantStatus: http.StatusServiceUnavailable, wantType: "application/problem+json",
			want: map[string]any{
				"type": "about:blank", "title": "Not ready", "status": 503.0, "detail": "failed checks: database",
				"checks": map[string]any{"database": "check panicked: nil pool"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, ct, body := get(t, health.Ready(time.Second, quiet, tt.checks...))
			if status != tt.wantStatus || ct != tt.wantType {
				t.Errorf("got %d %s, want %d %s", status, ct, tt.wantStatus, tt.wantType)
			}
			if !reflect.DeepEqual(body, tt.want) {
				t.Errorf("body = %v, want %v", body, tt.want)
			}
		})
	}
}

func TestReadyBoundsSlowChecks(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	block := make(chan struct{})
	defer close(block)
	sawDeadline := make(chan bool, 1)
	checks := []health.Check{
		{"deaf", func(context.Context) error { <-block; return nil }}, // ignores its context
		{"polite", func(ctx context.Context) error {
			_, ok := ctx.Deadline()
			sawDeadline <- ok
			<-ctx.Done()
			return ctx.Err()
		}},
	}
	began := time.Now()
	status, _, body := get(t, health.Ready(200*time.Millisecond, quiet, checks...))
	if elapsed := time.Since(began); elapsed > 2*time.Second {
		t.Errorf("readiness took %v with a 200ms timeout", elapsed)
	}
	if status != http.StatusServiceUnavailable || body["detail"] != "failed checks: deaf, polite" {
		t.Errorf("got %d %v, want 503 naming both checks", status, body)
	}
	if !<-sawDeadline {
		t.Error("the check's context had no deadline")
	}
}
