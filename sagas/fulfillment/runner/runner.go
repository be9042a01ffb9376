package runner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/instance"
	"github.com/orderflow/orderflow/platform/lease"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/service"
)

// sagaName names this saga in the sagas schema's tables.
const sagaName = "fulfillment"

// Config is what the saga runner needs.
type Config struct {
	Store    eventstore.Store
	Service  *service.Service
	Payments fulfillment.Payments
	// Pool is the database of the sagas schema (checkpoint, active sagas,
	// leases). The runner's lease keeper opens one more connection with
	// the pool's settings.
	Pool *pgxpool.Pool
	// PaymentTimeout is how long after placing an order its payment may
	// take before the saga compensates; default 5 minutes.
	PaymentTimeout time.Duration
	// RetryAfter is how long a parked or failed step waits; default 2 s.
	RetryAfter time.Duration
	// Carrier and ServedCountries describe the shipping carrier.
	Carrier         string
	ServedCountries []string
	// Workers is how many sagas run at once; default 64 (they spend most
	// of their time waiting for the database and the provider).
	Workers int
	// PollInterval is how often due sagas are looked for; default 250 ms.
	PollInterval time.Duration
	// Partitions is how many partitions the sagas are hashed into, each
	// driven by one runner at a time; default DefaultPartitions. It is
	// fixed per deployment: every runner sharing the database must use the
	// same count (a runner that sees a live one with another count refuses
	// to run), so changing it needs all runners stopped first.
	Partitions int
	// LeaseTTL is how long a partition's lease lasts without renewal; a
	// dead or stalled runner's partitions are taken over within about
	// LeaseTTL and a fifth. Leases are renewed every fifth of it, and a
	// runner stops working under a lease a quarter of it before the
	// database lets it go. Default DefaultLeaseTTL.
	LeaseTTL time.Duration
	// Owner names this runner in the leases; empty means host name,
	// process id and a random suffix. Two live runners must never share
	// one; a runner restarted with its predecessor's name takes that one's
	// leases back at once.
	Owner string
	// Now is the saga's clock (steps, deadlines, wake-up times); default
	// time.Now. Leases are timed by the database's clock and the process's
	// monotonic clock, never by Now.
	Now func() time.Time
	// Logger receives the runner's diagnostics; nil discards them.
	Logger *slog.Logger
	// Observer, when set, hears of every step recorded and every saga
	// that ends.
	Observer Observer
	// TracerProvider makes a span of every step of a saga whose order was
	// placed within a trace, continuing that trace; nil makes none.
	TracerProvider trace.TracerProvider
	// IntakeElsewhere says that the intake (Runner.Intake) is registered
	// with a projections.Manager the caller runs, which shows it among the
	// projections; otherwise Run runs it on a projections.Manager of its
	// own, on Pool, its lease held as Owner.
	IntakeElsewhere bool
}

// The write side's service is what the saga's steps send their commands to.
var (
	_ fulfillment.Orders         = (*service.Service)(nil)
	_ fulfillment.Inventory      = (*service.Service)(nil)
	_ fulfillment.PaymentRecords = (*service.Service)(nil)
	_ fulfillment.Shipments      = (*service.Service)(nil)
)

// DefaultLeaseTTL is Config.LeaseTTL's default.
const DefaultLeaseTTL = 5 * time.Second

// Runner runs fulfillment sagas: its intake follows order events from a
// durable checkpoint to start and cancel sagas, as a consumer of the
// projections runtime (one owner at a time by the runtime's lease), and
// it drives every running saga to its end, surviving restarts at any
// point. Several runners may share a database: the sagas are hashed into
// partitions and each partition has one owner at a time by a lease of
// package platform/lease (see keeper); a runner drives only the sagas of
// the partitions it owns, and stops before its next effect or record once
// its lease may have ended.
type Runner struct {
	cfg     Config
	owner   string
	handler *command.Handler
	steps   fulfillment.Steps
	queue   chan string
	keeper  *keeper
	hooks   hooks
	tracer  trace.Tracer
}

// hooks are test seams (export_test.go).
type hooks struct {
	// keepLeases makes Run return without releasing its leases, as a
	// crash would.
	keepLeases bool
}

// New returns a runner of cfg, whose zero fields take their defaults. It
// does no I/O: Run connects and takes the runner's leases.
func New(cfg Config) *Runner {
	if cfg.PaymentTimeout <= 0 {
		cfg.PaymentTimeout = 5 * time.Minute
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 2 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 64
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 250 * time.Millisecond
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Partitions <= 0 {
		cfg.Partitions = DefaultPartitions
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	owner := cmp.Or(cfg.Owner, instance.Name())
	leases, err := lease.New(lease.Config{Owner: owner, TTL: cfg.LeaseTTL, Margin: cfg.LeaseTTL / 4})
	if err != nil { // TTL is positive and the margin a quarter of it: cannot happen
		panic(err)
	}
	return &Runner{
		cfg:     cfg,
		owner:   owner,
		keeper:  newKeeper(cfg, leases),
		handler: command.NewHandler(cfg.Store, cfg.Now),
		steps: fulfillment.Steps{Orders: cfg.Service, Inventory: cfg.Service, PaymentRecords: cfg.Service, Shipments: cfg.Service,
			Payments: cfg.Payments, Carrier: cfg.Carrier,
			ServedCountries: cfg.ServedCountries, RetryAfter: cfg.RetryAfter},
		queue:  make(chan string, 1024),
		tracer: tracerOf(cfg.TracerProvider),
	}
}

// Run runs the saga until ctx ends; it returns ctx's error or the error
// that stopped it (ErrPartitionCount when the runners disagree on the
// partition count), joined with the error of releasing the leases if that
// failed. Before it returns, every drive has stopped and the leases are
// released, so that the other runners take over at once; the releases go
// over the lease keeper's own connection, so Config.Pool must stay open
// only until Run returns. Run must not be called again before it has
// returned.
func (r *Runner) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if err := r.keeper.start(ctx); err != nil {
		return wrapf(err, "fulfillment runner %s", r.owner)
	}
	fail := func(err error) {
		if err != nil && ctx.Err() == nil {
			cancel(err)
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() { fail(r.keeper.run(ctx)) })
	workers := make([]chan string, r.cfg.Workers)
	for i := range workers {
		workers[i] = make(chan string, 64)
		wg.Go(func() { r.work(ctx, workers[i]) })
	}
	if !r.cfg.IntakeElsewhere {
		wg.Go(func() { fail(r.follow(ctx)) })
	}
	wg.Go(func() { fail(r.schedule(ctx)) })
	// Route each saga to one worker, so one saga never runs twice at once
	// in this process.
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case id := <-r.queue:
			w := workers[shard(id, len(workers))]
			select {
			case w <- id:
			default: // the worker is busy; the scheduler brings it back
			}
		}
	}
	wg.Wait()
	released := r.keeper.stop(ctx, !r.hooks.keepLeases)
	if released != nil {
		r.cfg.Logger.WarnContext(ctx, "fulfillment: release leases", "owner", r.owner, "err", released)
	}
	if err := context.Cause(ctx); !errors.Is(err, context.Canceled) {
		return errors.Join(err, released)
	}
	return errors.Join(ctx.Err(), released)
}

// Owner returns the name this runner holds its leases under.
func (r *Runner) Owner() string { return r.owner }

// Owned returns the partitions this runner owns now, in order: the ones
// whose sagas it drives. It is safe for concurrent use.
func (r *Runner) Owned() []int { return r.keeper.owned() }

// OwnsIntake reports whether this runner's owner holds the intake's lease
// now, by the database: whether it follows the order events.
func (r *Runner) OwnsIntake() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var owns bool
	err := r.cfg.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM leases.leases
		WHERE name = $1 AND owner = $2 AND expires_at > clock_timestamp())`, "projection/"+IntakeName, r.owner).Scan(&owns)
	return err == nil && owns
}

// wake asks for the saga of order id to be driven soon, if this runner
// owns its partition.
func (r *Runner) wake(id string) {
	if r.keeper.term(partitionOf(id, r.cfg.Partitions)) == nil {
		return // its owner's scheduler finds it in sagas.active
	}
	select {
	case r.queue <- id:
	default: // full: the scheduler finds it in sagas.active
	}
}

func (r *Runner) work(ctx context.Context, ids <-chan string) {
	for {
		select {
		case <-ctx.Done():
			return
		case id := <-ids:
			err := r.Drive(ctx, id)
			switch {
			case err == nil, ctx.Err() != nil:
			case errors.Is(err, ErrNotOwner), errors.Is(err, ErrLeaseLost):
				r.cfg.Logger.DebugContext(ctx, "fulfillment saga left to its partition's owner", "order", id, "err", err)
			default:
				r.cfg.Logger.WarnContext(ctx, "fulfillment saga step failed; it will be retried", "order", id, "err", err)
			}
		}
	}
}

func shard(id string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h = (h ^ uint32(id[i])) * 16777619
	}
	return int(h % uint32(n))
}

func wrapf(err error, format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, err)...)
}
