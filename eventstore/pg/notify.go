package pg

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgxlisten"
)

// channel is the LISTEN/NOTIFY channel appends are announced on.
const channel = "orderflow_eventstore"

// notifyInterval is the shortest time between two NOTIFYs of one store.
// Each costs a transaction on the server and a delivery to every listener,
// this process's own included: at 5 ms they were a measurable share of the
// server's work per append at one writer. Other processes' subscribers
// still hear of an append within it, and poll anyway.
const notifyInterval = 20 * time.Millisecond

// notifier sends NOTIFY after appends, outside their transactions (a NOTIFY
// inside would serialise every append's commit on PostgreSQL's notify lock),
// at most once per notifyInterval: signals in between coalesce. Subscribers
// in this process are woken directly and do not wait for it.
type notifier struct {
	pool    *pgxpool.Pool
	logger  *slog.Logger
	pending chan struct{}
}

func newNotifier(pool *pgxpool.Pool, logger *slog.Logger) *notifier {
	return &notifier{pool: pool, logger: logger, pending: make(chan struct{}, 1)}
}

// signal asks for a NOTIFY soon; it never blocks.
func (n *notifier) signal() {
	select {
	case n.pending <- struct{}{}:
	default:
	}
}

func (n *notifier) run(ctx context.Context) {
	tick := time.NewTicker(notifyInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.pending:
		}
		if _, err := n.pool.Exec(ctx, "SELECT pg_notify($1, '')", channel); err != nil && ctx.Err() == nil {
			// Only a wake-up is lost: subscribers still poll.
			n.logger.WarnContext(ctx, "event store notify failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// listen wakes local subscribers whenever any process announces an append,
// reconnecting after failures, until ctx ends.
func listen(ctx context.Context, cfg *pgx.ConnConfig, wake *wakeup, logger *slog.Logger) {
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
	l.Handle(channel, pgxlisten.HandlerFunc(func(context.Context, *pgconn.Notification, *pgx.Conn) error {
		wake.broadcast()
		return nil
	}))
	if err := l.Listen(ctx); err != nil && !errors.Is(err, context.Canceled) {
		logger.ErrorContext(ctx, "event store listener stopped", "err", err)
	}
}
