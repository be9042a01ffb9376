package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/health"
	"github.com/orderflow/orderflow/platform/problem"
)

// probeProcess runs `orderflow probe args...` as its own process, as a
// container's health check does, and returns its exit code and stderr.
func probeProcess(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"probe"}, args...)...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run orderflow probe: %v", err)
	}
	if stdout.Len() > 0 {
		t.Errorf("stdout = %q, want nothing", stdout.String())
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// TestProbe runs orderflow probe against real sockets: it exits 0 on a 2xx
// and 1 otherwise, with one line on stderr saying why.
func TestProbe(t *testing.T) {
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", health.Live)
	mux.HandleFunc("GET /empty", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.Handle("GET /readyz", health.Ready(0, slog.New(slog.NewTextHandler(io.Discard, nil)), health.Check{Name: "database", Probe: func(context.Context) error {
		return errors.New("connection refused")
	}}))
	mux.HandleFunc("GET /teapot", func(w http.ResponseWriter, _ *http.Request) {
		problem.Write(w, problem.Details{Status: http.StatusTeapot, Title: "I'm a teapot"})
	})
	mux.HandleFunc("GET /plain", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "database\n\tdown\r\n"+strings.Repeat("x", 500), http.StatusInternalServerError)
	})
	mux.HandleFunc("GET /moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/healthz", http.StatusFound)
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first: no handler holds up srv.Close

	// An address nothing listens on: listen, note the port, close.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/readyz"
	ln.Close()

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string // stderr, all of it; empty means no output
		maxTime  time.Duration
	}{
		{name: "200", args: []string{"--url", srv.URL + "/healthz"}, wantCode: 0},
		{name: "204", args: []string{"--url", srv.URL + "/empty"}, wantCode: 0},
		{
			name: "503 with a problem", args: []string{"--url", srv.URL + "/readyz"}, wantCode: 1,
			want: "orderflow: probe " + srv.URL + "/readyz: 503 Service Unavailable: failed checks: database\n",
		},
		{
			name: "problem without detail", args: []string{"--url", srv.URL + "/teapot"}, wantCode: 1,
			want: "orderflow: probe " + srv.URL + "/teapot: 418 I'm a teapot: I'm a teapot\n",
		},
		{
			name: "plain body on one line", args: []string{"--url", srv.URL + "/plain"}, wantCode: 1,
			want: "orderflow: probe " + srv.URL + "/plain: 500 Internal Server Error: database down " + strings.Repeat("x", 200-len("database down ")) + "…\n",
		},
		{
			name: "redirect not followed", args: []string{"--url", srv.URL + "/moved"}, wantCode: 1,
			want: "orderflow: probe " + srv.URL + "/moved: 302 Found: redirect to /healthz\n",
		},
		{
			name: "connection refused", args: []string{"--url", closed}, wantCode: 1,
			want: "orderflow: probe " + closed + ": dial tcp " + strings.TrimPrefix(strings.TrimSuffix(closed, "/readyz"), "http://") + ": connect: connection refused\n",
		},
		{
			name: "timeout", args: []string{"--url", srv.URL + "/slow", "--timeout", "200ms"}, wantCode: 1,
			want:    "orderflow: probe " + srv.URL + "/slow: no answer within 200ms\n",
			maxTime: 10 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			code, stderr := probeProcess(t, tt.args...)
			if code != tt.wantCode || stderr != tt.want {
				t.Errorf("exit %d, stderr %q; want exit %d, stderr %q", code, stderr, tt.wantCode, tt.want)
			}
			if took := time.Since(start); tt.maxTime > 0 && took > tt.maxTime {
				t.Errorf("took %v, want at most %v", took, tt.maxTime)
			}
		})
	}
}

// TestProbeCommandLine checks probe's flags: its defaults, and the
// mistakes it refuses before sending anything.
func TestProbeCommandLine(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		err        error
		wantStderr []string
	}{
		{name: "help shows the defaults", args: []string{"-h"}, wantStderr: []string{`default "http://127.0.0.1:8080/readyz"`, "default 3s"}},
		{name: "relative URL", args: []string{"--url", "/readyz"}, err: errUsage, wantStderr: []string{`--url "/readyz": want an absolute http or https URL`}},
		{name: "other scheme", args: []string{"--url", "ftp://127.0.0.1/readyz"}, err: errUsage, wantStderr: []string{"want an absolute http or https URL"}},
		{name: "zero timeout", args: []string{"--timeout", "0s"}, err: errUsage, wantStderr: []string{"--timeout 0s: want a positive duration"}},
		{name: "bad timeout", args: []string{"--timeout", "soon"}, err: errUsage, wantStderr: []string{`invalid value "soon" for flag -timeout`}},
		{name: "argument", args: []string{"http://127.0.0.1:8080/readyz"}, err: errUsage, wantStderr: []string{`unexpected argument "http://127.0.0.1:8080/readyz"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"probe"}, tt.args...), envOf(nil), &stdout, &stderr)
			if tt.err == nil && err != nil || tt.err != nil && !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			for _, s := range tt.wantStderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr = %q, want it to contain %q", stderr.String(), s)
				}
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
		})
	}
}
