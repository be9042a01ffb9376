package pg

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgxlisten"
)

// channel is the LISTEN/NOTIFY channel appends are announced on.
const channel = "orderflow_eventstore"

// notifyInterval is the shortest time between two NOTIFYs of one store.
// Each costs a delivery to every listening process, and sent on its own also
// a transaction with a commit to flush: at 5 ms they were a measurable share
// of the server's work per append at one writer.
const notifyInterval = 20 * time.Millisecond

// notifyGrace is how long past notifyInterval the notifier leaves for an
// append to carry the NOTIFY due, before it sends one on its own.
const notifyGrace = 5 * time.Millisecond

// notifier announces appends to other processes with NOTIFY, at most once
// per notifyInterval. An append that finds a NOTIFY due claims it and
// carries it in its own statement: it is delivered when that append
// commits, at no extra round trip or commit. An append that does not carry
// one marks the log unannounced, and unless another append carries one
// first, the notifier sends a NOTIFY on its own within notifyInterval plus
// notifyGrace. A NOTIFY only ever goes out with one append's statement or
// alone: one in every append would serialise their commits on PostgreSQL's
// notify lock. Subscribers in this process are woken directly and do not
// wait for it. It is safe for concurrent use.
type notifier struct {
	pool    *pgxpool.Pool
	logger  *slog.Logger
	pending chan struct{}
	// last is when the latest NOTIFY was claimed, in Unix nanoseconds.
	last atomic.Int64
	// late is set by an append that committed without a NOTIFY after it
	// and cleared by a claim: the claimer's NOTIFY, delivered at its
	// commit, comes after every append that committed before the claim.
	late atomic.Bool
}

func newNotifier(pool *pgxpool.Pool, logger *slog.Logger) *notifier {
	return &notifier{pool: pool, logger: logger, pending: make(chan struct{}, 1)}
}

// claim reports whether a NOTIFY is due and, if it is, takes it: the caller
// sends it, or calls missed when its append stores nothing.
func (n *notifier) claim() bool {
	now := time.Now().UnixNano()
	last := n.last.Load()
	if now-last < int64(notifyInterval) || !n.last.CompareAndSwap(last, now) {
		return false
	}
	n.late.Store(false)
	return true
}

// missed records an append that did not carry a NOTIFY; it never blocks.
func (n *notifier) missed() {
	n.late.Store(true)
	select {
	case n.pending <- struct{}{}:
	default:
	}
}

// run sends the NOTIFYs no append carried, until ctx ends.
func (n *notifier) run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.pending:
		}
		// Leave the next append the chance to carry it.
		due := time.Unix(0, n.last.Load()).Add(notifyInterval + notifyGrace)
		if wait := time.Until(due); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		}
		if !n.late.Load() || !n.claim() {
			// Announced meanwhile; an append that is still late has
			// signalled again.
			continue
		}
		if _, err := n.pool.Exec(ctx, "SELECT pg_notify($1, '')", channel); err != nil && ctx.Err() == nil {
			// Only a wake-up is lost: subscribers still poll.
			n.logger.WarnContext(ctx, "event store notify failed", "err", err)
		}
	}
}

// listen wakes local subscribers whenever another process announces an
// append, reconnecting after failures, until ctx ends. Announcements sent
// by own's backends are this store's, whose appends woke the subscribers
// of their category already.
func listen(ctx context.Context, cfg *pgx.ConnConfig, wake *wakeup, own *backends, logger *slog.Logger) {
	l := &pgxlisten.Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) {
			return pgx.ConnectConfig(ctx, cfg.Copy())
		},
		LogError: func(ctx context.Context, err error) {
			if ctx.Err() == nil {
				logger.WarnContext(ctx, "event store listener", "err", err)
			}
		},
		ReconnectDelay: time.Second,
	}
	l.Handle(channel, pgxlisten.HandlerFunc(func(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
		if own.has(n.PID) {
			return nil
		}
		wake.broadcast("")
		return nil
	}))
	if err := l.Listen(ctx); err != nil && !errors.Is(err, context.Canceled) {
		logger.ErrorContext(ctx, "event store listener stopped", "err", err)
	}
}
