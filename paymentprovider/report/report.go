// Package report shares the payment provider client's state between
// processes: the process that runs the saga publishes its client's state
// (circuit breaker, bulkhead, counters, recent failures) to PostgreSQL
// every few seconds, and the admin API, wherever it runs, reads and serves
// what every live process reported.
package report

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/paymentprovider"
)

// DefaultInterval is how often Publish reports by default.
const DefaultInterval = 2 * time.Second

// Report is what one process's client last reported.
type Report struct {
	Owner      string                `json:"owner"`
	State      paymentprovider.State `json:"state"`
	ReportedAt time.Time             `json:"reportedAt"`
}

// Publish writes client's state under owner every interval (DefaultInterval
// when zero) until ctx ends, then deletes the row, so a process that stops
// gracefully stops showing. Failed writes are logged and retried at the
// next tick.
func Publish(ctx context.Context, pool *pgxpool.Pool, client *paymentprovider.Client, owner string, interval time.Duration, logger *slog.Logger) {
	if interval <= 0 {
		interval = DefaultInterval
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := write(ctx, pool, owner, client.State()); err != nil && ctx.Err() == nil {
			logger.WarnContext(ctx, "report the payment client's state", "err", err)
		}
		select {
		case <-ctx.Done():
			cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer cancel()
			if _, err := pool.Exec(cleanup, `DELETE FROM sagas.payment_client_state WHERE owner = $1`, owner); err != nil {
				logger.WarnContext(ctx, "remove the payment client's state", "err", err)
			}
			return
		case <-t.C:
		}
	}
}

// write upserts one report.
func write(ctx context.Context, pool *pgxpool.Pool, owner string, s paymentprovider.State) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode the state: %w", err)
	}
	_, err = pool.Exec(ctx, `INSERT INTO sagas.payment_client_state (owner, state, reported_at) VALUES ($1, $2, now())
ON CONFLICT (owner) DO UPDATE SET state = excluded.state, reported_at = excluded.reported_at`, owner, raw)
	return err
}

// Read returns the reports younger than maxAge, newest first: those of
// processes still alive.
func Read(ctx context.Context, pool *pgxpool.Pool, maxAge time.Duration) ([]Report, error) {
	rows, err := pool.Query(ctx, `SELECT owner, state, reported_at FROM sagas.payment_client_state
WHERE reported_at > now() - make_interval(secs => $1) ORDER BY reported_at DESC, owner`, maxAge.Seconds())
	if err != nil {
		return nil, fmt.Errorf("read payment client reports: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Report, error) {
		var (
			r   Report
			raw []byte
		)
		if err := row.Scan(&r.Owner, &raw, &r.ReportedAt); err != nil {
			return r, err
		}
		if err := json.Unmarshal(raw, &r.State); err != nil {
			return r, fmt.Errorf("decode the report of %s: %w", r.Owner, err)
		}
		return r, nil
	})
}
