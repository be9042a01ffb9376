// Package notifications is the customer-notification context. It reacts to
// order events on its own, with no orchestrator (choreography): an order
// confirmed, cancelled (with the reason), shipped or delivered gets its
// customer a notification, recorded once per event in the context's own
// tables. Sending them on (mail, push) reads from there.
package notifications

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/order"
)

// Notifier records notifications from the order events of the global log.
// Each batch of events, its notifications and the checkpoint after it are
// written in one transaction, so a crash anywhere neither loses nor repeats
// a notification.
type Notifier struct {
	store  eventstore.Store
	pool   *pgxpool.Pool
	logger *slog.Logger
}

// New returns a notifier reading store and writing to pool's notifications
// schema.
func New(store eventstore.Store, pool *pgxpool.Pool, logger *slog.Logger) *Notifier {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Notifier{store: store, pool: pool, logger: logger}
}

// Run follows the order events from the checkpoint until ctx ends; it
// returns ctx's error or the error that stopped it.
func (n *Notifier) Run(ctx context.Context) error {
	from, err := n.checkpoint(ctx)
	if err != nil {
		return err
	}
	sub, err := n.store.Subscribe(ctx, eventstore.SubscribeOptions{Category: order.Category, From: from})
	if err != nil {
		return fmt.Errorf("notifications: %w", err)
	}
	defer sub.Close()
	for {
		events, err := sub.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("notifications: %w", err)
		}
		if err := n.Apply(ctx, events); err != nil {
			return err
		}
	}
}

// Apply records the notifications of a batch of order events and moves the
// checkpoint past them, in one transaction. Events already recorded are
// skipped, so applying a batch twice changes nothing.
func (n *Notifier) Apply(ctx context.Context, events []eventstore.RecordedEvent) error {
	return pgx.BeginFunc(ctx, n.pool, func(tx pgx.Tx) error {
		for _, e := range events {
			if err := n.apply(ctx, tx, e); err != nil {
				return err
			}
		}
		last := events[len(events)-1].Position
		_, err := tx.Exec(ctx, `INSERT INTO notifications.checkpoint (commit_pos, prepare_pos) VALUES ($1, $2)
			ON CONFLICT (only_row) DO UPDATE SET commit_pos = excluded.commit_pos, prepare_pos = excluded.prepare_pos
			WHERE (notifications.checkpoint.commit_pos, notifications.checkpoint.prepare_pos) < (excluded.commit_pos, excluded.prepare_pos)`,
			int64(last.Commit), int64(last.Prepare))
		return err
	})
}

func (n *Notifier) apply(ctx context.Context, tx pgx.Tx, r eventstore.RecordedEvent) error {
	if r.Type != order.TypePlaced && r.Type != order.TypeConfirmed && r.Type != order.TypeCancelled &&
		r.Type != order.TypeShipped && r.Type != order.TypeDelivered {
		return nil
	}
	e, err := order.Decode(r.Type, r.Data)
	if err != nil {
		n.logger.ErrorContext(ctx, "notifications: undecodable order event skipped", "stream", r.Stream, "revision", r.Revision, "err", err)
		return nil
	}
	orderID := r.Stream[len(order.Category)+1:]
	if p, ok := e.(order.Placed); ok {
		_, err := tx.Exec(ctx, `INSERT INTO notifications.order_customers (order_id, customer_id) VALUES ($1, $2)
			ON CONFLICT (order_id) DO NOTHING`, orderID, p.CustomerID)
		return err
	}
	kind, message := Describe(orderID, e)
	var customer string
	err = tx.QueryRow(ctx, `SELECT customer_id FROM notifications.order_customers WHERE order_id = $1`, orderID).Scan(&customer)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("notifications: %s for order %s, whose placement was never seen", r.Type, orderID)
	}
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO notifications.sent (event_id, order_id, customer_id, kind, message, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING`,
		r.ID, orderID, customer, kind, message, r.Recorded)
	return err
}

// Describe words what happened to order orderID for its customer: the
// kind of notification (confirmed, cancelled, shipped or delivered) and
// its message, for an order.Confirmed, order.Cancelled, order.Shipped or
// order.Delivered event e. Any other e causes no notification: Describe
// returns two empty strings. The notifier and the customer_notifications
// read model both take their words from here.
func Describe(orderID string, e any) (kind, message string) {
	switch e := e.(type) {
	case order.Confirmed:
		return "confirmed", fmt.Sprintf("Your order %s is confirmed.", orderID)
	case order.Cancelled:
		return "cancelled", fmt.Sprintf("Your order %s was cancelled: %s", orderID, e.Reason)
	case order.Shipped:
		if e.TrackingNumber != "" {
			return "shipped", fmt.Sprintf("Your order %s is on its way (tracking number %s).", orderID, e.TrackingNumber)
		}
		return "shipped", fmt.Sprintf("Your order %s is on its way.", orderID)
	case order.Delivered:
		return "delivered", fmt.Sprintf("Your order %s was delivered.", orderID)
	}
	return "", ""
}

func (n *Notifier) checkpoint(ctx context.Context) (eventstore.Position, error) {
	var c, p int64
	err := n.pool.QueryRow(ctx, `SELECT commit_pos, prepare_pos FROM notifications.checkpoint`).Scan(&c, &p)
	if errors.Is(err, pgx.ErrNoRows) {
		return eventstore.Start, nil
	}
	if err != nil {
		return eventstore.Position{}, fmt.Errorf("notifications: read the checkpoint: %w", err)
	}
	return eventstore.Position{Commit: uint64(c), Prepare: uint64(p)}, nil
}
