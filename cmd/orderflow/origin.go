package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/origin"
	"github.com/orderflow/orderflow/projections"
)

// checkEventStore gives the event store an identity when its log has
// none, and checks that the state in the database follows it
// (origin.Check; state that records none adopts it). A mismatch is logged
// as one ERROR line and returned: serve stops before it starts anything,
// and the process exits 1 with the same message.
func checkEventStore(ctx context.Context, store eventstore.Store, pool *pgxpool.Pool, logger *slog.Logger) error {
	current, err := eventstore.Identify(ctx, store, time.Now())
	if err != nil {
		return err
	}
	if err := origin.Check(ctx, pool, current); err != nil {
		if errors.Is(err, origin.ErrMismatch) {
			logger.ErrorContext(ctx, "event store mismatch: not starting", "err", err, "event_store", current.ID.String())
		}
		return err
	}
	logger.InfoContext(ctx, "event store identified", "event_store", current.ID.String(), "created", current.Created)
	return nil
}

// adoptFlag is the flag `orderflow projections reset` needs to act.
const adoptFlag = "adopt-event-store"

const resetUsage = `usage: orderflow projections reset --adopt-event-store [flags]

Makes the state kept in PostgreSQL follow the configured event store, after
the backend was switched (PostgreSQL <-> EventStoreDB) or the event store
wiped. Stop every orderflow process first (it refuses while one holds a
lease or runs a saga runner). What came from another event store is
cleared, to be derived again from this one's log:
  - the read models' checkpoints and tables: serve rebuilds them from its log;
  - consumers' checkpoints (the saga intake): they start again at its start
    (a saga already started in this log is not started twice);
  - the running sagas' wake-ups: the saga intake finds them again in the log;
  - the stored Idempotency-Key responses: a retried request runs again.
Then this event store's identity is recorded beside all of it.
`

// runningSQL names the processes that follow the log now: the owners of
// leases still held (projections, the saga intake, saga partitions) and
// the saga runners still alive.
const runningSQL = `SELECT coalesce(string_agg(DISTINCT owner, ', ' ORDER BY owner), '') FROM (
    SELECT owner FROM leases.leases WHERE expires_at > clock_timestamp()
    UNION ALL SELECT owner FROM sagas.runners WHERE expires_at > clock_timestamp()) o`

// projectionsReset runs `orderflow projections reset --adopt-event-store`.
// It refuses while processes follow the log: they would go on writing
// what the reset forgets.
func projectionsReset(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, registry []projections.Projection) error {
	adopt := false
	rest := make([]string, 0, len(args))
	for _, a := range args {
		switch a {
		case "-" + adoptFlag, "--" + adoptFlag:
			adopt = true
		case "-h", "-help", "--help":
			fmt.Fprint(stderr, resetUsage)
			return flag.ErrHelp
		default:
			rest = append(rest, a)
		}
	}
	if !adopt {
		fmt.Fprint(stderr, resetUsage)
		return fmt.Errorf("%w: projections reset needs --%s", errUsage, adoptFlag)
	}
	cfg, err := loadConfig("projections reset", withDatabase|withEventStore, rest, getenv, stderr)
	if err != nil {
		return err
	}
	return withProjectionsOf(ctx, cfg, newLogger(stderr, cfg.LogLevel), registry, func(m *projections.Manager, store eventstore.Store, pool *pgxpool.Pool) error {
		var running string
		if err := pool.QueryRow(ctx, runningSQL).Scan(&running); err != nil {
			return fmt.Errorf("look for running processes: %w", err)
		}
		if running != "" {
			return fmt.Errorf("orderflow processes still follow the log (%s): stop every one of them first; "+
				"the leases of one that died expire within seconds", running)
		}
		current, err := eventstore.Identify(ctx, store, time.Now())
		if err != nil {
			return err
		}
		names, err := m.ResetForeign(ctx, current)
		if err != nil {
			return err
		}
		adopted, err := origin.Adopt(ctx, pool, current)
		if err != nil {
			return err
		}
		if err := origin.Check(ctx, pool, current); err != nil {
			return fmt.Errorf("after the reset: %w", err)
		}
		fmt.Fprintln(stdout, resetSummary(current, names, adopted))
		return nil
	})
}

// resetSummary says in a few lines what a reset did.
func resetSummary(current eventstore.Identity, names []string, adopted origin.Adopted) string {
	var b strings.Builder
	fmt.Fprintf(&b, "the state in PostgreSQL now follows event store %s", current)
	if len(names) == 0 && adopted == (origin.Adopted{}) {
		b.WriteString("; nothing came from another one")
		return b.String()
	}
	if len(names) > 0 {
		fmt.Fprintf(&b, "\nforgot the projections %s: serve rebuilds the read models from this log and starts the consumers at its start", strings.Join(names, ", "))
	}
	fmt.Fprintf(&b, "\nforgot %d running sagas (the saga intake finds them again in this log) and %d stored Idempotency-Key responses", adopted.Sagas, adopted.Idempotency)
	return b.String()
}
