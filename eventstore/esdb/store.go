package esdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/orderflow/orderflow/eventstore"
)

const (
	// DefaultDedupWindow is the number of events, beyond the batch length,
	// that Append reads from the end of a stream to recognise a retried or
	// partially overlapping batch when Config.DedupWindow is zero.
	DefaultDedupWindow = 32
	// DefaultRetryMin is the first pause before a dropped subscription
	// subscribes again when Config.RetryMin is zero.
	DefaultRetryMin = 100 * time.Millisecond
	// DefaultRetryMax caps the pause between resubscription attempts when
	// Config.RetryMax is zero.
	DefaultRetryMax = 5 * time.Second
	// DefaultMaxAppendSize is the server's default maximum append size,
	// 1 MiB, which Append holds batches to when Config.MaxAppendSize is
	// zero.
	DefaultMaxAppendSize = 1 << 20
)

// Config configures a Store.
type Config struct {
	// URL is the EventStoreDB connection string (EVENTSTORE_URL), for
	// example "esdb://localhost:2113?tls=false".
	URL string
	// Logger receives the adapter's diagnostics and the client's, the
	// latter at debug level for its information and at warn level for its
	// errors. Nil discards them.
	Logger *slog.Logger
	// DedupWindow is how many events beyond the batch length Append reads
	// from the end of a stream to recognise a retried or partially
	// overlapping batch. Zero means DefaultDedupWindow.
	DedupWindow int
	// RetryMin and RetryMax bound the capped exponential backoff between
	// resubscription attempts. Zero means DefaultRetryMin and
	// DefaultRetryMax.
	RetryMin, RetryMax time.Duration
	// MaxAppendSize is the server's maximum append size in bytes (its
	// MaxAppendSize option, EVENTSTORE_MAX_APPEND_SIZE), counted the
	// server's way: data, metadata and twice the type of each event.
	// Append refuses a larger batch with eventstore.ErrTooLarge without
	// sending it; a refusal from the server naming its limit replaces
	// this value. Zero means DefaultMaxAppendSize, the server's default.
	MaxAppendSize int
}

// ErrClosed is returned by every call on a Store after Close. It wraps
// eventstore.ErrUnavailable: another process may serve the call.
var ErrClosed = fmt.Errorf("esdb: event store is closed: %w", eventstore.ErrUnavailable)

// Store is the EventStoreDB event store. It is safe for concurrent use by
// multiple goroutines. See the package documentation for how it meets the
// eventstore contract.
type Store struct {
	conf     esdb.Configuration // parsed once; each client gets a copy
	log      *slog.Logger
	window   int
	retryMin time.Duration
	retryMax time.Duration
	ids      *idIndex // ids of streams appended to with Any or StreamExists
	// maxAppend is the server's maximum append size as far as the Store
	// knows it: Config.MaxAppendSize, then what the server's refusals say.
	maxAppend atomic.Int64

	mu     sync.Mutex
	client *esdb.Client
	closed bool
	subs   map[*subscription]struct{}
}

var (
	_ eventstore.Store           = (*Store)(nil)
	_ eventstore.BackwardsReader = (*Store)(nil)
)

// New connects to the EventStoreDB server cfg.URL names. It reads the end of
// $all once, so a server that is down, a wrong address or wrong credentials
// fail here rather than at the first call. The connection string is never
// repeated in errors or logs, as it may hold a password.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.URL == "" {
		return nil, fmt.Errorf("esdb: %w: connection string is empty", eventstore.ErrInvalid)
	}
	conf, err := esdb.ParseConnectionString(cfg.URL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the whole string, password included
		}
		return nil, fmt.Errorf("esdb: %w: malformed connection string: %v", eventstore.ErrInvalid, err)
	}
	if cfg.DedupWindow < 0 || cfg.RetryMin < 0 || cfg.RetryMax < 0 || cfg.MaxAppendSize < 0 {
		return nil, fmt.Errorf("esdb: %w: negative dedup window, retry pause or maximum append size", eventstore.ErrInvalid)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "eventstore/esdb")
	conf.Logger = clientLogger(log)

	s := &Store{
		conf:     *conf,
		log:      log,
		window:   orDefault(cfg.DedupWindow, DefaultDedupWindow),
		retryMin: orDefault(cfg.RetryMin, DefaultRetryMin),
		retryMax: orDefault(cfg.RetryMax, DefaultRetryMax),
		ids:      newIDIndex(maxIndexedIDs),
		subs:     make(map[*subscription]struct{}),
	}
	s.maxAppend.Store(int64(orDefault(cfg.MaxAppendSize, DefaultMaxAppendSize)))
	if s.retryMax < s.retryMin {
		s.retryMax = s.retryMin
	}
	if s.client, err = s.newClient(); err != nil {
		return nil, err
	}
	if _, err := s.readAllRaw(ctx, esdb.ReadAllOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("esdb: connect: %w", err)
	}
	return s, nil
}

// Close ends every subscription of the store, waits for them to stop and
// closes the client. Calls made after Close return ErrClosed. Close is safe
// to call more than once.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	subs := make([]*subscription, 0, len(s.subs))
	for sub := range s.subs {
		subs = append(subs, sub)
	}
	client := s.client
	s.mu.Unlock()

	// Subscriptions first, so that none of them subscribes again on a
	// closed client. Calls still in flight fail (see call).
	for _, sub := range subs {
		_ = sub.Close()
	}
	if err := client.Close(); err != nil {
		return fmt.Errorf("esdb: close client: %w", err)
	}
	return nil
}

func orDefault[T int | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}
