package httpserver_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/httpserver"
)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// running is a server serving on a free loopback port.
type running struct {
	base   string
	cancel context.CancelFunc
	done   chan struct{}
	err    error // Serve's result, once done is closed
}

// start binds a server on a free loopback port and serves it until cancel
// is called or the test ends.
func start(t *testing.T, cfg httpserver.Config, h http.Handler) *running {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	srv, err := httpserver.Listen(cfg, h, discard())
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{base: "http://" + srv.Addr().String(), cancel: cancel, done: make(chan struct{})}
	go func() {
		r.err = srv.Serve(ctx)
		close(r.done)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return after its context ended")
		}
	})
	return r
}

// wait returns Serve's result.
func (r *running) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-r.done:
		return r.err
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
		return nil
	}
}

func TestServeAnswersAndStops(t *testing.T) {
	srv := start(t, httpserver.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "hello")
	}))

	resp, err := http.Get(srv.base + "/")
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "hello" {
		t.Fatalf("got %d %q, want 200 \"hello\"", resp.StatusCode, body)
	}

	srv.cancel()
	if err := srv.wait(t); err != nil {
		t.Fatalf("Serve returned %v after a clean shutdown, want nil", err)
	}
	if _, err := net.DialTimeout("tcp", srv.base[len("http://"):], time.Second); err == nil {
		t.Error("the server still accepts connections after Serve returned")
	}
}

func TestShutdownWaitsForRequestsInFlight(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	srv := start(t, httpserver.Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		_, _ = io.WriteString(w, "finished")
	}))

	type reply struct {
		body string
		err  error
	}
	replies := make(chan reply, 1)
	go func() {
		resp, err := http.Get(srv.base + "/slow")
		if err != nil {
			replies <- reply{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		replies <- reply{string(b), err}
	}()
	<-entered
	srv.cancel()

	select {
	case <-srv.done:
		t.Fatalf("Serve returned (%v) while a request was in flight", srv.err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if r := <-replies; r.err != nil || r.body != "finished" {
		t.Fatalf("request in flight got %q, %v; want it to finish", r.body, r.err)
	}
	if err := srv.wait(t); err != nil {
		t.Fatalf("Serve: %v", err)
	}
}

func TestShutdownTimeoutCutsRequestsOff(t *testing.T) {
	entered := make(chan struct{})
	unblock := make(chan struct{})
	t.Cleanup(func() { close(unblock) })
	srv := start(t, httpserver.Config{ShutdownTimeout: 100 * time.Millisecond},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(entered)
			<-unblock
		}))
	go func() {
		resp, err := http.Get(srv.base + "/stuck")
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	srv.cancel()
	err := srv.wait(t)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Serve returned %v, want an error wrapping context.DeadlineExceeded", err)
	}
}

func TestReadHeaderTimeoutClosesSlowClients(t *testing.T) {
	const timeout = 200 * time.Millisecond
	srv := start(t, httpserver.Config{ReadHeaderTimeout: timeout}, http.NotFoundHandler())

	conn, err := net.Dial("tcp", srv.base[len("http://"):])
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n"); err != nil { // headers never end
		t.Fatalf("write: %v", err)
	}
	began := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = io.ReadAll(conn)
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		t.Fatal("the server kept a client that never finished its headers for 5s")
	}
	if elapsed := time.Since(began); elapsed < timeout/2 {
		t.Errorf("the connection ended after %v, before the %v header timeout", elapsed, timeout)
	}
}

func TestListenOnABusyAddressFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := httpserver.Listen(httpserver.Config{Addr: ln.Addr().String()}, http.NotFoundHandler(), discard()); err == nil {
		t.Fatal("Listen on an address in use succeeded")
	}
}
