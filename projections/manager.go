package projections

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/instance"
	"github.com/orderflow/orderflow/platform/lease"
)

// Defaults of Config.
const (
	DefaultLeaseTTL     = 3 * time.Second
	DefaultBatchSize    = 512
	DefaultRebuildBatch = 2048
)

// Config configures a Manager.
type Config struct {
	// Pool is the PostgreSQL database of the read models, migrated (package
	// platform/migrate). Required.
	Pool *pgxpool.Pool
	// Store is the event store whose global log the projections consume.
	// Required.
	Store eventstore.Store
	// Projections is the registry: every projection this process knows.
	// Names and views must be unique.
	Projections []Projection
	// Elsewhere are projections another process runs (its own Manager)
	// that this one reports on too: Run leaves them out, while Status,
	// DeadLetters and Redrive cover them like the others. Their names and
	// views share the registry's rules.
	Elsewhere []Projection
	// Logger receives the runtime's diagnostics; nil discards them.
	Logger *slog.Logger
	// Owner identifies this process in leases; empty means
	// instance.Name(). Two processes must not share one.
	Owner string
	// LeaseTTL is how long a lease lasts without being extended: a dead
	// owner is replaced within about LeaseTTL. It must exceed the time one
	// batch takes. Zero means DefaultLeaseTTL.
	LeaseTTL time.Duration
	// BatchSize is the most events a runner applies in one transaction;
	// zero means DefaultBatchSize.
	BatchSize int
	// RebuildBatchSize is the same for rebuilds; zero means
	// DefaultRebuildBatch.
	RebuildBatchSize int
	// CountEvents, when set, counts the events of the global log; rebuilds
	// use it for the total of their progress reports. Nil leaves the total
	// unknown (reported as 0) until the rebuild has caught up.
	CountEvents func(ctx context.Context) (int64, error)
	// Now is the clock of status reports (lag); nil means time.Now.
	Now func() time.Time
	// TracerProvider makes the live runners' span of each event that
	// carries a sampled trace in its metadata, so the trace of a command
	// reaches the read models; nil makes none.
	TracerProvider trace.TracerProvider
}

// Manager runs, rebuilds, redrives and reports on a registry of
// projections. It is safe for concurrent use.
type Manager struct {
	pool         *pgxpool.Pool
	store        eventstore.Store
	projections  []Projection
	byName       map[string]Projection
	elsewhere    map[string]bool
	logger       *slog.Logger
	owner        string
	leases       *lease.Holder
	waker        *lease.Waker // wakes standbys when a lease is released; Run runs it
	ttl          time.Duration
	batchSize    int
	rebuildBatch int
	countEvents  func(ctx context.Context) (int64, error)
	now          func() time.Time
	tracer       trace.Tracer

	hooks   hooks
	metrics metrics
}

// hooks let tests stop the runtime at chosen points.
type hooks struct {
	// afterWrites runs in a runner's batch transaction once the events'
	// statements have been sent, before the lease check and COMMIT.
	afterWrites func(name string)
	// beforeSwap runs in a rebuild's swap transaction, just before COMMIT.
	beforeSwap func(name string)
}

// metrics count what the runtime did, for tests and logs.
type metrics struct {
	batches   atomic.Int64 // batch transactions committed by runners
	retried   atomic.Int64 // batches retried event by event
	leaseLost atomic.Int64 // batches refused because the lease was lost
	applied   atomic.Int64 // events applied or parked by runners
}

// New checks the registry and returns a Manager. It fails with an error
// wrapping ErrInvalidProjection when a projection breaks the contract or
// two share a name or a view.
func New(cfg Config) (*Manager, error) {
	if cfg.Pool == nil || cfg.Store == nil {
		return nil, fmt.Errorf("projections: Pool and Store are required")
	}
	m := &Manager{
		pool:         cfg.Pool,
		store:        cfg.Store,
		projections:  slices.Concat(cfg.Projections, cfg.Elsewhere),
		byName:       make(map[string]Projection),
		elsewhere:    make(map[string]bool),
		logger:       cfg.Logger,
		owner:        cfg.Owner,
		ttl:          cfg.LeaseTTL,
		batchSize:    cfg.BatchSize,
		rebuildBatch: cfg.RebuildBatchSize,
		countEvents:  cfg.CountEvents,
		now:          cfg.Now,
	}
	if m.logger == nil {
		m.logger = slog.New(slog.DiscardHandler)
	}
	if m.owner == "" {
		m.owner = instance.Name()
	}
	if m.ttl <= 0 {
		m.ttl = DefaultLeaseTTL
	}
	m.waker = lease.NewWaker(m.pool.Config().ConnConfig, m.logger)
	leases, err := lease.New(lease.Config{Owner: m.owner, TTL: m.ttl, Logger: m.logger, Waker: m.waker})
	if err != nil {
		return nil, fmt.Errorf("projections: %w", err)
	}
	m.leases = leases
	if m.batchSize <= 0 {
		m.batchSize = DefaultBatchSize
	}
	if m.rebuildBatch <= 0 {
		m.rebuildBatch = DefaultRebuildBatch
	}
	if cfg.TracerProvider != nil {
		m.tracer = cfg.TracerProvider.Tracer("github.com/orderflow/orderflow/projections")
	}
	if m.now == nil {
		m.now = time.Now
	}
	views := make(map[string]string)
	for _, p := range m.projections {
		if err := validate(p); err != nil {
			return nil, err
		}
		if _, dup := m.byName[p.Name()]; dup {
			return nil, fmt.Errorf("%w: two projections are named %q", ErrInvalidProjection, p.Name())
		}
		m.byName[p.Name()] = p
		for _, v := range p.Views() {
			if other, dup := views[v]; dup {
				return nil, fmt.Errorf("%w: projections %s and %s both have the view %q", ErrInvalidProjection, other, p.Name(), v)
			}
			views[v] = p.Name()
		}
	}
	for _, p := range cfg.Elsewhere {
		m.elsewhere[p.Name()] = true
	}
	slices.SortFunc(m.projections, func(a, b Projection) int { return strings.Compare(a.Name(), b.Name()) })
	return m, nil
}

// Names returns the names of the registered projections, sorted.
func (m *Manager) Names() []string {
	names := make([]string, len(m.projections))
	for i, p := range m.projections {
		names[i] = p.Name()
	}
	return names
}

// projection returns the registered projection name, or an error wrapping
// ErrUnknownProjection.
func (m *Manager) projection(name string) (Projection, error) {
	p, ok := m.byName[name]
	if !ok {
		known := "none are registered"
		if len(m.projections) > 0 {
			known = "known: " + strings.Join(m.Names(), ", ")
		}
		return nil, fmt.Errorf("%w %q (%s)", ErrUnknownProjection, name, known)
	}
	return p, nil
}
