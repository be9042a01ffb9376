package paymentprovider_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/orderflow/orderflow/paymentprovider"
	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/write/money"
)

// startSandbox serves a new sandbox provider over a real socket.
func startSandbox(t testing.TB, controls sandbox.Controls) (*sandbox.Sandbox, string) {
	t.Helper()
	sb := sandbox.New(sandbox.Config{Seed: 1})
	if err := sb.SetControls(controls); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(func() {
		sb.Close()
		srv.Close()
	})
	return sb, srv.URL
}

// newClient returns a client of base with cfg, whose zero retry delays are
// made short so tests run fast.
func newClient(t testing.TB, base string, cfg paymentprovider.Config) *paymentprovider.Client {
	t.Helper()
	cfg.BaseURL = base
	if cfg.RetryDelay == 0 {
		cfg.RetryDelay = 10 * time.Millisecond
	}
	if cfg.MaxRetryDelay == 0 {
		cfg.MaxRetryDelay = 50 * time.Millisecond
	}
	c, err := paymentprovider.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func eur(amount int64) money.Money { return money.Money{Amount: amount, Currency: "EUR"} }

// waitUntil polls cond until it holds, failing the test after a generous
// deadline; it asserts on states, not on speed.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
