package read

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore"
)

// querier runs the handler's SQL: a pool, in production and tests alike.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// positionString formats a position stored as two bigint columns the way
// clients receive positions: "commit.prepare".
func positionString(commit, prepare int64) string {
	return eventstore.Position{Commit: uint64(commit), Prepare: uint64(prepare)}.String()
}
