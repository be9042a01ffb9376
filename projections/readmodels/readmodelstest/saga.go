package readmodelstest

import (
	"context"
	"net/http/httptest"
	"time"

	"github.com/orderflow/orderflow/paymentprovider"
	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/service"
)

// Saga is a running fulfillment saga on an Env's event store, with a
// sandbox payment provider served over HTTP. Its commands take the real
// time: the saga's deadlines and retries need a clock that moves.
type Saga struct {
	env     *Env
	Sandbox *sandbox.Sandbox
	// Service is the write side the saga sends its commands through.
	Service *service.Service
	handler *command.Handler
	stop    func()
}

// Carrier is the saga's carrier, and ServedCountries the countries it
// serves: an order to any other country has its shipment rejected.
const Carrier = "DHL"

// ServedCountries returns the countries Carrier serves.
func ServedCountries() []string { return []string{"DE", "FR"} }

// StartSaga runs the fulfillment saga until the test ends or Stop is
// called. A payment not captured within paymentTimeout of an order's
// placement makes its saga compensate.
func (e *Env) StartSaga(paymentTimeout time.Duration) *Saga {
	e.T.Helper()
	sb := sandbox.New(sandbox.Config{Seed: 1})
	srv := httptest.NewServer(sb)
	client, err := paymentprovider.New(paymentprovider.Config{
		BaseURL: srv.URL, Timeout: time.Second, Retries: 2, MaxConcurrent: 8, RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 50 * time.Millisecond,
		BreakerFailureThreshold: 3, BreakerDelay: 200 * time.Millisecond,
	})
	if err != nil {
		e.T.Fatal(err)
	}
	h := command.NewHandler(e.Store, time.Now)
	svc := service.New(h, nil)
	cfg := runner.Config{
		Store: e.Store, Service: svc, Payments: runner.ProviderPayments(client), Pool: e.Pool,
		PaymentTimeout: paymentTimeout, RetryAfter: 50 * time.Millisecond, PollInterval: 20 * time.Millisecond,
		Carrier: Carrier, ServedCountries: ServedCountries(), Workers: 8,
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = runner.New(cfg).Run(ctx)
	}()
	s := &Saga{env: e, Sandbox: sb, Service: svc, handler: h}
	stopped := false
	s.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		<-done
		sb.Close()
		srv.Close()
	}
	e.T.Cleanup(s.Stop)
	return s
}

// For returns the Saga reporting to the test of e, a copy of its Env for a
// subtest.
func (s *Saga) For(e *Env) *Saga {
	c := *s
	c.env = e
	return &c
}

// Stop stops the saga and the sandbox. It is not safe for concurrent use.
func (s *Saga) Stop() { s.stop() }

// Controls sets the sandbox's fault controls.
func (s *Saga) Controls(c sandbox.Controls) {
	s.env.T.Helper()
	if err := s.Sandbox.SetControls(c); err != nil {
		s.env.T.Fatal(err)
	}
}

// State returns the saga of order id as its stream has it now.
func (s *Saga) State(id string) fulfillment.State {
	s.env.T.Helper()
	st, err := command.Load(s.env.Ctx(), s.handler,
		command.Aggregate[fulfillment.State]{Category: fulfillment.Category, Evolve: fulfillment.Evolve, Decode: fulfillment.Decode}, id)
	if err != nil {
		s.env.T.Fatal(err)
	}
	return st
}

// Finished waits for the saga of order id to end and returns it; the Env
// then counts the saga's stream as written.
func (s *Saga) Finished(id string) fulfillment.State {
	s.env.T.Helper()
	var st fulfillment.State
	WaitFor(s.env.T, 30*time.Second, "the saga of order "+id+" to finish", func() bool {
		st = s.State(id)
		return st.Finished()
	})
	s.env.WroteStream(fulfillment.StreamID(id))
	return st
}

// Until waits for the saga of order id to reach a state for which cond
// holds, and returns it.
func (s *Saga) Until(id, what string, cond func(fulfillment.State) bool) fulfillment.State {
	s.env.T.Helper()
	var st fulfillment.State
	WaitFor(s.env.T, 30*time.Second, "the saga of order "+id+" to "+what, func() bool {
		st = s.State(id)
		return cond(st)
	})
	s.env.WroteStream(fulfillment.StreamID(id))
	return st
}
