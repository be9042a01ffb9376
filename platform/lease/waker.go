package lease

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
)

// ReleasedChannel is the PostgreSQL notification channel Release
// announces each lease it ends on, with the lease's name as the payload,
// in the releasing transaction: the notification is delivered when the
// release commits, never before.
const ReleasedChannel = "lease_released"

// Waker tells waiters in this process at once that a lease was released,
// by any process, from the notifications of ReleasedChannel. It listens
// on a connection of its own, reconnecting after a loss. A notification
// is only a hint to look again now: the leases table stays the truth, and
// waiters keep polling it, so one lost while disconnected costs at most a
// poll interval. After every (re)connection it wakes every waiter, since
// a release may have gone unheard meanwhile. It is safe for concurrent
// use.
type Waker struct {
	connConfig *pgx.ConnConfig
	logger     *slog.Logger

	mu        sync.Mutex
	subs      map[*subscription]struct{}
	listening chan struct{} // closed once first listening
	heard     bool
}

// subscription is one waiter's interest.
type subscription struct {
	match func(name string) bool
	wake  chan struct{} // capacity one: wake-ups coalesce
}

// NewWaker returns a Waker that connects with cfg (copied on every
// connection) and logs connection losses to logger (nil discards them).
// It listens once Run is called.
func NewWaker(cfg *pgx.ConnConfig, logger *slog.Logger) *Waker {
	return &Waker{
		connConfig: cfg, logger: cmp.Or(logger, slog.New(slog.DiscardHandler)),
		subs: map[*subscription]struct{}{}, listening: make(chan struct{}),
	}
}

// Run listens until ctx ends, reconnecting a second after a loss (logged
// as a warning), and returns nil then.
func (w *Waker) Run(ctx context.Context) error {
	l := &pgxlisten.Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) {
			cfg := w.connConfig.Copy()
			if cfg.RuntimeParams == nil {
				cfg.RuntimeParams = map[string]string{}
			}
			cfg.RuntimeParams["application_name"] = "orderflow lease waker"
			return pgx.ConnectConfig(ctx, cfg)
		},
		LogError: func(ctx context.Context, err error) {
			if ctx.Err() == nil {
				w.logger.WarnContext(ctx, "lease waker: listening failed; released leases are noticed by polling until it listens again", "err", err)
			}
		},
		ReconnectDelay: time.Second,
	}
	l.Handle(ReleasedChannel, w)
	if err := l.Listen(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// Listening returns a channel closed once the waker first listens: a
// release committed after that is heard.
func (w *Waker) Listening() <-chan struct{} { return w.listening }

// Subscribe returns a channel that receives a value soon after a lease
// whose name match accepts is released (several releases may coalesce
// into one value), and after every reconnection; and a function that ends
// the subscription. A nil Waker's channel never receives.
func (w *Waker) Subscribe(match func(name string) bool) (wake <-chan struct{}, unsubscribe func()) {
	s := &subscription{match: match, wake: make(chan struct{}, 1)}
	if w == nil {
		return s.wake, func() {}
	}
	w.mu.Lock()
	w.subs[s] = struct{}{}
	w.mu.Unlock()
	return s.wake, func() {
		w.mu.Lock()
		delete(w.subs, s)
		w.mu.Unlock()
	}
}

// HandleNotification wakes the subscribers of the lease released.
func (w *Waker) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	w.wake(n.Payload)
	return nil
}

// HandleBacklog runs once the waker listens, after every (re)connection:
// it wakes every subscriber, for a release may have gone unheard.
func (w *Waker) HandleBacklog(context.Context, string, *pgx.Conn) error {
	w.mu.Lock()
	if !w.heard {
		w.heard = true
		close(w.listening)
	}
	w.mu.Unlock()
	w.wake("")
	return nil
}

// wake wakes the subscribers whose match accepts name, or all of them
// when name is empty.
func (w *Waker) wake(name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for s := range w.subs {
		if name != "" && !s.match(name) {
			continue
		}
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}
