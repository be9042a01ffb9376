package pg

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
)

var (
	_ eventstore.Store           = (*Store)(nil)
	_ eventstore.BackwardsReader = (*Store)(nil)
)

// DefaultPollInterval is how often an idle subscription looks for new events
// when no wake-up arrives.
const DefaultPollInterval = 250 * time.Millisecond

// DefaultMaxConns is the pool size of a Store whose Config names none:
// enough for many concurrent appends, whose cost is mostly waiting for
// commits to reach the disk.
const DefaultMaxConns = 32

// Config configures a Store.
type Config struct {
	// DatabaseURL locates the PostgreSQL database; its schema must be
	// migrated (package platform/migrate).
	DatabaseURL string
	// Logger receives the store's own diagnostics; nil discards them.
	Logger *slog.Logger
	// PollInterval bounds how long an idle subscription waits before looking
	// again; zero means DefaultPollInterval.
	PollInterval time.Duration
	// MaxConns caps the connection pool; zero means DefaultMaxConns.
	MaxConns int32
	// Flushers is how many append transactions (direct appends and group
	// commits) may be in flight at once; zero means DefaultFlushers.
	Flushers int
}

// Store is the PostgreSQL event store. It is safe for concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	poll   time.Duration
	wake   *wakeup
	notify *notifier
	batch  *batcher

	bg   context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	// own are the backends of pool; the listener ignores their NOTIFYs.
	own backends
	// listenCfg connects the listener, which startListener starts.
	listenCfg *pgx.ConnConfig
	listenMu  sync.Mutex
	closed    bool
}

// New connects to the database and returns a Store. It fails when the
// database does not answer.
func New(ctx context.Context, cfg Config) (*Store, error) {
	pcfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("event store: parse database url: %w", err)
	}
	// The store's statements are few and their best plans do not depend on
	// the values bound; re-planning every execution costs more than the
	// execution itself.
	pcfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	pcfg.MaxConns = DefaultMaxConns
	if cfg.MaxConns > 0 {
		pcfg.MaxConns = cfg.MaxConns
	}
	s := &Store{}
	s.own.track(pcfg)
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("event store: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("event store: connect: %w", err)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	poll := cfg.PollInterval
	if poll <= 0 {
		poll = DefaultPollInterval
	}
	bg, stop := context.WithCancel(context.Background())
	s.pool, s.logger, s.poll, s.bg, s.stop, s.listenCfg = pool, logger, poll, bg, stop, pcfg.ConnConfig
	s.wake = newWakeup(s.startListener)
	s.notify = newNotifier(pool, logger)
	flushers := cfg.Flushers
	if flushers <= 0 {
		flushers = DefaultFlushers
	}
	s.batch = &batcher{pool: pool, queue: make(chan *call), slots: make(chan struct{}, flushers), single: s.appendAlone, notify: s.notify, closed: bg.Done()}
	for range flushers {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.batch.flush(bg) }()
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.notify.run(bg) }()
	return s, nil
}

// startListener starts listening for other processes' appends, unless the
// store is closed. The wake-up calls it once, when the first subscription
// waits for events: a store that only appends keeps no listening
// connection, whose backend would otherwise handle every NOTIFY, its own
// included.
func (s *Store) startListener() {
	s.listenMu.Lock()
	defer s.listenMu.Unlock()
	if s.closed {
		return
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); listen(s.bg, s.listenCfg, s.wake, &s.own, s.logger) }()
}

// Close stops the store's background work and closes its connections.
func (s *Store) Close() error {
	s.listenMu.Lock()
	s.closed = true
	s.listenMu.Unlock()
	s.stop()
	s.wg.Wait()
	s.pool.Close()
	return nil
}

// appended tells local and remote subscribers that the log may have grown
// in category ("" for any); notified says the append's own statement
// announced it already.
func (s *Store) appended(category string, notified bool) {
	s.wake.broadcast(category)
	if !notified {
		s.notify.missed()
	}
}
