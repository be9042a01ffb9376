package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/paymentprovider/sandbox"
)

// switchableProvider is the sandbox payment provider on a real socket
// that a test can stop and start again at the same address: stopped, its
// port refuses connections, as a provider that is down does. Its charges
// and refunds outlive a stop.
type switchableProvider struct {
	t       *testing.T
	sandbox *sandbox.Sandbox
	addr    string

	mu  sync.Mutex
	srv *http.Server // nil while stopped
}

// startSwitchableProvider serves a new sandbox on a free loopback port and
// stops it when the test ends.
func startSwitchableProvider(t *testing.T) *switchableProvider {
	t.Helper()
	p := &switchableProvider{t: t, sandbox: sandbox.New(sandbox.Config{Seed: 1})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(func() {
		p.Stop()
		p.sandbox.Close()
	})
	return p
}

// URL is the provider's base URL, the same while it is stopped.
func (p *switchableProvider) URL() string { return "http://" + p.addr }

func (p *switchableProvider) serve(ln net.Listener) {
	srv := &http.Server{Handler: p.sandbox, ReadHeaderTimeout: 5 * time.Second}
	p.mu.Lock()
	p.srv = srv
	p.mu.Unlock()
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			p.t.Errorf("sandbox provider: %v", err)
		}
	}()
}

// Stop closes the listener and every connection at once.
func (p *switchableProvider) Stop() {
	p.mu.Lock()
	srv := p.srv
	p.srv = nil
	p.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// Start listens at the same address again. It retries for a few seconds
// while the port is still held by the connections Stop closed.
func (p *switchableProvider) Start() {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		ln, err := net.Listen("tcp", p.addr)
		if err == nil {
			p.serve(ln)
			return
		}
		select {
		case <-ctx.Done():
			p.t.Fatalf("listen again on %s: %v", p.addr, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
