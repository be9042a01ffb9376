package fulfillment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/service"
)

// sagaName names this saga in the sagas schema's tables.
const sagaName = "fulfillment"

// Config is what the saga runner needs.
type Config struct {
	Store    eventstore.Store
	Service  *service.Service
	Payments Payments
	// Pool is the database of the sagas schema (checkpoint, active sagas).
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
	Now          func() time.Time
	Logger       *slog.Logger
	// Observer, when set, hears of every step recorded and every saga
	// that ends.
	Observer Observer
}

// Runner runs fulfillment sagas: it follows order events from a durable
// checkpoint to start and cancel sagas, and drives every running saga to
// its end, surviving restarts at any point. Several runners may share a
// database: commands are idempotent and saga streams are appended with
// expected revisions, so the worst a race costs is repeated work.
type Runner struct {
	cfg     Config
	handler *command.Handler
	steps   stepper
	queue   chan string
}

// New returns a runner.
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
	return &Runner{
		cfg:     cfg,
		handler: command.NewHandler(cfg.Store, cfg.Now),
		steps: stepper{svc: cfg.Service, payments: cfg.Payments, carrier: cfg.Carrier,
			servedCountries: cfg.ServedCountries, retryAfter: cfg.RetryAfter},
		queue: make(chan string, 1024),
	}
}

// Run runs the saga until ctx ends; it returns ctx's error or the error
// that stopped it.
func (r *Runner) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	workers := make([]chan string, r.cfg.Workers)
	for i := range workers {
		workers[i] = make(chan string, 64)
		go r.work(ctx, workers[i], done)
	}
	go func() {
		if err := r.intake(ctx); err != nil && ctx.Err() == nil {
			cancel(err)
		}
	}()
	go func() {
		if err := r.schedule(ctx); err != nil && ctx.Err() == nil {
			cancel(err)
		}
	}()
	// Route each saga to one worker, so one saga never runs twice at once
	// in this process.
	for {
		select {
		case <-ctx.Done():
			for range workers {
				<-done
			}
			if err := context.Cause(ctx); !errors.Is(err, context.Canceled) {
				return err
			}
			return ctx.Err()
		case id := <-r.queue:
			w := workers[shard(id, len(workers))]
			select {
			case w <- id:
			default: // the worker is busy; the scheduler brings it back
			}
		}
	}
}

// wake asks for the saga of order id to be driven soon.
func (r *Runner) wake(id string) {
	select {
	case r.queue <- id:
	default: // full: the scheduler finds it in sagas.active
	}
}

func (r *Runner) work(ctx context.Context, ids <-chan string, done chan<- struct{}) {
	defer func() { done <- struct{}{} }()
	for {
		select {
		case <-ctx.Done():
			return
		case id := <-ids:
			if err := r.Drive(ctx, id); err != nil && ctx.Err() == nil {
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
