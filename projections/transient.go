package projections

import (
	"context"
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/orderflow/orderflow/eventstore"
)

// transient reports whether err says something about the database or the
// process rather than about the event being applied, so that the event must
// not be parked: the work is retried from the checkpoint instead.
//
// Transient are: errors marked by Retry; the end of a context; connection failures; an
// event store that is unavailable for now (eventstore.ErrUnavailable); SQLSTATE
// classes 08 (connection), 25 (invalid transaction state), 40 (rollback:
// serialization failure, deadlock), 53 (insufficient resources), 54
// (program limit), 55 (object not in prerequisite state, lock not
// available), 57 (operator intervention: canceled, shutting down), 58
// (system error) and XX (internal error); and the codes that mean the
// read model's tables are gone or out of reach (undefined table, undefined
// schema, insufficient privilege), which no event can be blamed for.
func transient(err error) bool {
	if err == nil {
		return false
	}
	var r retryable
	if errors.As(err, &r) {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, pgx.ErrTxClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, eventstore.ErrUnavailable) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code[:2] {
		case "08", "25", "40", "53", "54", "55", "57", "58", "XX":
			return true
		}
		switch pgErr.Code {
		case "42P01", "3F000", "42501":
			return true
		}
		return false
	}
	var netErr net.Error
	if errors.As(err, &netErr) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) {
		return true
	}
	var connErr *pgconn.ConnectError
	return errors.As(err, &connErr)
}

// isPgCode reports whether err is a PostgreSQL error with one of codes.
func isPgCode(err error, codes ...string) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	for _, c := range codes {
		if pgErr.Code == c {
			return true
		}
	}
	return false
}
