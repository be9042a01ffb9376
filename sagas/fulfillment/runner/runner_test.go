package runner_test

import (
	"cmp"
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/paymentprovider"
	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/payment"
	"github.com/orderflow/orderflow/write/service"
	"github.com/orderflow/orderflow/write/shipping"
)

// world is a database, an event store, the write side, a real sandbox
// payment provider over HTTP and a running saga.
type world struct {
	t       testing.TB
	dbURL   string
	ctx     context.Context
	h       *command.Handler
	svc     *service.Service
	sandbox *sandbox.Sandbox
	client  *paymentprovider.Client
	cfg     runner.Config
	stop    func()
}

// testLeaseTTL is the saga leases' TTL in tests.
const testLeaseTTL = time.Second

// start runs a new saga runner; stop ends it, as a crash would: whatever
// it was doing is cut off where it stood, and its leases stay taken. The
// runner always has the same owner name, so the next one takes them back
// at once, as a process restarted under its old name does.
func (w *world) start() {
	ctx, cancel := context.WithCancel(w.ctx)
	done := make(chan struct{})
	r := runner.New(w.cfg)
	runner.KeepLeasesOnStop(r)
	go func() {
		defer close(done)
		_ = r.Run(ctx)
	}()
	w.stop = func() {
		cancel()
		<-done
	}
}

func newWorld(t *testing.T, paymentTimeout time.Duration) *world {
	t.Helper()
	return newWorldTB(t, paymentTimeout, 0)
}

// newWorldTB builds a world for a test or a benchmark, with its saga
// runner running; workers sizes the saga runner and the payment client's
// bulkhead (0: the runner's default and a bulkhead of 3).
func newWorldTB(t testing.TB, paymentTimeout time.Duration, workers int) *world {
	t.Helper()
	w := newIdleWorld(t, paymentTimeout, workers)
	w.start()
	return w
}

// newIdleWorld is newWorldTB without a saga runner: the test runs its own.
func newIdleWorld(t testing.TB, paymentTimeout time.Duration, workers int) *world {
	t.Helper()
	return newIdleWorldBulkhead(t, paymentTimeout, workers, cmp.Or(workers, 3))
}

// newIdleWorldBulkhead is newIdleWorld with a payment client's bulkhead
// of its own size.
func newIdleWorldBulkhead(t testing.TB, paymentTimeout time.Duration, workers, bulkhead int) *world {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dbURL := dbtest.New(t)
	store, err := pg.New(ctx, pg.Config{DatabaseURL: dbURL, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	sb := sandbox.New(sandbox.Config{Seed: 1})
	srv := httptest.NewServer(sb)
	client, err := paymentprovider.New(paymentprovider.Config{
		BaseURL: srv.URL, Timeout: time.Second, Retries: 2, MaxConcurrent: bulkhead, RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 50 * time.Millisecond,
		BreakerFailureThreshold: 3, BreakerDelay: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := command.NewHandler(store, time.Now)
	catalog := service.NewCatalog()
	go func() { _ = catalog.Run(ctx, store) }()
	svc := service.New(h, catalog)
	cfg := runner.Config{
		Store: store, Service: svc, Payments: runner.ProviderPayments(client), Pool: pool,
		PaymentTimeout: paymentTimeout, RetryAfter: 50 * time.Millisecond, PollInterval: 20 * time.Millisecond,
		Carrier: "DHL", ServedCountries: []string{"DE", "FR"}, Workers: workers,
		LeaseTTL: testLeaseTTL, Owner: "runner-0",
	}
	w := &world{t: t, dbURL: dbURL, ctx: ctx, h: h, svc: svc, sandbox: sb, client: client, cfg: cfg, stop: func() {}}
	t.Cleanup(func() {
		w.stop()
		cancel()
		sb.Close()
		srv.Close()
		pool.Close()
		store.Close()
	})
	return w
}

// with returns w reporting to the subtest t.
func (w *world) with(t *testing.T) *world {
	c := *w
	c.t = t
	return &c
}

func (w *world) product(sku string, price int64, stock int64) {
	w.t.Helper()
	if _, err := w.svc.Inventory(w.ctx, command.Meta{}, sku, inventory.RegisterProduct{SKU: sku, Name: sku, Price: money.Money{Amount: price, Currency: "EUR"}}); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.svc.Inventory(w.ctx, command.Meta{}, sku, inventory.AddStock{Quantity: stock}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) place(country string, lines ...order.LineRequest) string {
	w.t.Helper()
	id, err := w.tryPlace(country, lines...)
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

// tryPlace places an order; it is safe to call from any goroutine.
func (w *world) tryPlace(country string, lines ...order.LineRequest) (string, error) {
	return w.placeWith(command.Meta{}, country, lines...)
}

// placeWith places an order with the command metadata meta.
func (w *world) placeWith(meta command.Meta, country string, lines ...order.LineRequest) (string, error) {
	id := uuid.NewString()
	_, err := w.svc.PlaceOrder(w.ctx, meta, order.Place{OrderID: id, CustomerID: "c-1", Lines: lines,
		ShippingAddress: order.Address{Name: "A. Buyer", Line1: "1 Main St", City: "Town", PostalCode: "1", Country: country}})
	return id, err
}

// saga returns the saga of order id as it is now.
func (w *world) saga(id string) fulfillment.State {
	w.t.Helper()
	s, err := command.Load(w.ctx, w.h, command.Aggregate[fulfillment.State]{Category: fulfillment.Category, Evolve: fulfillment.Evolve, Decode: fulfillment.Decode}, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

func (w *world) compensating(id string) bool { return w.saga(id).Compensating }

// finished waits for the saga of order id to end and returns it.
func (w *world) finished(id string) fulfillment.State {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := w.saga(id)
		if s.Finished() {
			return s
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("saga %s did not finish: at %s, last error %q, history %+v", id, s.Step(time.Now()), s.LastError, s.History)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (w *world) order(id string) order.State {
	s, err := command.Load(w.ctx, w.h, command.Aggregate[order.State]{Category: order.Category, Evolve: order.Evolve, Decode: order.Decode}, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

func (w *world) payment(id string) payment.State {
	s, err := command.Load(w.ctx, w.h, command.Aggregate[payment.State]{Category: payment.Category, Evolve: payment.Evolve, Decode: payment.Decode}, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

func (w *world) shipment(id string) shipping.State {
	s, err := command.Load(w.ctx, w.h, command.Aggregate[shipping.State]{Category: shipping.Category, Evolve: shipping.Evolve, Decode: shipping.Decode}, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

func (w *world) stock(sku string) inventory.State {
	s, err := command.Load(w.ctx, w.h, command.Aggregate[inventory.State]{Category: inventory.Category, Evolve: inventory.Evolve, Decode: inventory.Decode}, sku)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}
