package runner_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
)

// testPartitions is the partition count the tests run with (the default).
const testPartitions = runner.DefaultPartitions

// proc is one of several saga runners a test runs on one database.
type proc struct {
	*runner.Runner
	seen   *seen
	cancel context.CancelFunc
	done   chan struct{}
	err    error // what Run returned, once done is closed
}

// spawn starts a runner named owner. configure, if set, changes its
// configuration; seams are applied to it before it runs.
func (w *world) spawn(owner string, configure func(*runner.Config), seams ...func(*runner.Runner)) *proc {
	w.t.Helper()
	cfg := w.cfg
	cfg.Owner = owner
	p := &proc{seen: &seen{}, done: make(chan struct{})}
	cfg.Observer = p.seen
	if configure != nil {
		configure(&cfg)
	}
	p.Runner = runner.New(cfg)
	for _, s := range seams {
		s(p.Runner)
	}
	ctx, cancel := context.WithCancel(w.ctx)
	p.cancel = cancel
	go func() {
		defer close(p.done)
		p.err = p.Run(ctx)
	}()
	w.t.Cleanup(p.halt)
	return p
}

// halt stops the runner and waits for Run to return. Unless the runner
// keeps its leases (crashes), that is a graceful stop.
func (p *proc) halt() {
	p.cancel()
	<-p.done
}

// crashes makes a runner keep its leases when it stops, as a crash would.
func crashes(r *runner.Runner) { runner.KeepLeasesOnStop(r) }

// seen is an Observer that counts what its runner recorded.
type seen struct {
	steps, finished, deadlines atomic.Int64
}

func (s *seen) StepRecorded(fulfillment.StepKind, fulfillment.Outcome) { s.steps.Add(1) }
func (s *seen) SagaFinished(string, time.Duration)                     { s.finished.Add(1) }
func (s *seen) DeadlinePassed()                                        { s.deadlines.Add(1) }

// records counts the events the runner recorded that it reported.
func (s *seen) records() int64 { return s.steps.Load() + s.finished.Load() + s.deadlines.Load() }

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
	}
}

// split reports whether the runners own every partition exactly once
// between them, each at most its fair share.
func split(ps ...*proc) bool {
	var all []int
	fair := (testPartitions + len(ps) - 1) / len(ps)
	for _, p := range ps {
		owned := p.Owned()
		if len(owned) > fair {
			return false
		}
		all = append(all, owned...)
	}
	slices.Sort(all)
	if len(all) != testPartitions {
		return false
	}
	for i, p := range all {
		if p != i {
			return false
		}
	}
	return true
}

// leaseOwners returns the owner of each partition's live lease in the
// database, and the intake's (key -1).
func (w *world) leaseOwners() map[int]string {
	w.t.Helper()
	rows, err := w.cfg.Pool.Query(w.ctx, `SELECT CASE WHEN name = 'projection/fulfillment_intake' THEN -1 ELSE split_part(name, '/', 3)::int END, owner
		FROM leases.leases WHERE (name LIKE 'saga/fulfillment/%' OR name = 'projection/fulfillment_intake') AND expires_at > clock_timestamp()`)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var (
			p     int
			owner string
		)
		if err := rows.Scan(&p, &owner); err != nil {
			w.t.Fatal(err)
		}
		out[p] = owner
	}
	if err := rows.Err(); err != nil {
		w.t.Fatal(err)
	}
	return out
}

// orderIn returns a new order id whose saga falls into one of partitions.
func orderIn(partitions []int) string {
	for {
		id := uuid.NewString()
		if slices.Contains(partitions, runner.PartitionOf(id, testPartitions)) {
			return id
		}
	}
}

// placeID places order id; it is safe to call from any goroutine.
func (w *world) placeID(id, country string, lines ...order.LineRequest) error {
	_, err := w.svc.PlaceOrder(w.ctx, command.Meta{}, order.Place{OrderID: id, CustomerID: "c-1", Lines: lines,
		ShippingAddress: order.Address{Name: "A. Buyer", Line1: "1 Main St", City: "Town", PostalCode: "1", Country: country}})
	return err
}

// sagaEvents counts the events of the saga of order id by type, and its
// step records by step and outcome ("charge/done").
func (w *world) sagaEvents(id string) map[string]int {
	w.t.Helper()
	events, err := w.cfg.Store.ReadStream(w.ctx, fulfillment.StreamID(id), eventstore.ReadOptions{Count: 1000})
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range events {
		out[e.Type]++
		if e.Type != fulfillment.TypeStepRecorded {
			continue
		}
		ev, err := fulfillment.Decode(e.Type, e.Data)
		if err != nil {
			w.t.Fatal(err)
		}
		rec := ev.(fulfillment.StepRecorded)
		out[rec.Step.String()+"/"+string(rec.Outcome)]++
	}
	return out
}

// gatedPayments holds the first charge made once armed until released,
// whatever its context says, as a process paused in the middle of the call
// would; then it sends the charge on, as a call already in flight.
type gatedPayments struct {
	fulfillment.Payments
	armed    atomic.Bool
	entered  chan struct{}
	release  chan struct{}
	returned chan struct{}
}

func newGatedPayments(p fulfillment.Payments) *gatedPayments {
	return &gatedPayments{Payments: p, entered: make(chan struct{}), release: make(chan struct{}), returned: make(chan struct{})}
}

func (g *gatedPayments) Charge(ctx context.Context, key, reference string, amount money.Money) (string, error) {
	if !g.armed.CompareAndSwap(true, false) {
		return g.Payments.Charge(ctx, key, reference, amount)
	}
	defer close(g.returned)
	close(g.entered)
	<-g.release
	return g.Payments.Charge(context.WithoutCancel(ctx), key, reference, amount)
}

// stall blocks a runner's lease renewals while it is on.
type stall struct {
	on      atomic.Bool
	mu      sync.Mutex
	resumed chan struct{}
}

func newStall() *stall { return &stall{resumed: make(chan struct{})} }

func (s *stall) hook(ctx context.Context) {
	if !s.on.Load() {
		return
	}
	select {
	case <-s.resumed:
	case <-ctx.Done():
	}
}

func (s *stall) resume() {
	s.on.Store(false)
	close(s.resumed)
}

// driveEnds is a slog handler that reports, once, a runner's drive of one
// order ending with an error matching want.
type driveEnds struct {
	want  error
	ended chan error
	once  sync.Once
	mu    sync.Mutex
	order string
}

func newDriveEnds(want error) *driveEnds { return &driveEnds{want: want, ended: make(chan error, 1)} }

// watch sets the order watched.
func (d *driveEnds) watch(order string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.order = order
}

func (d *driveEnds) Enabled(context.Context, slog.Level) bool { return true }
func (d *driveEnds) WithAttrs([]slog.Attr) slog.Handler       { return d }
func (d *driveEnds) WithGroup(string) slog.Handler            { return d }

func (d *driveEnds) Handle(_ context.Context, r slog.Record) error {
	var (
		id  string
		err error
	)
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "order":
			id = a.Value.String()
		case "err":
			err, _ = a.Value.Any().(error)
		}
		return true
	})
	d.mu.Lock()
	watched := d.order
	d.mu.Unlock()
	if id != "" && id == watched && errors.Is(err, d.want) {
		d.once.Do(func() { d.ended <- err })
	}
	return nil
}
