package read

import (
	"context"
	"fmt"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/jackc/pgx/v5"
)

// timelineEntry is the GraphQL type TimelineEntry.
type timelineEntry struct {
	Type          string
	Position      string
	Stream        string
	Revision      int64Scalar
	OccurredAt    timeScalar
	EventID       graphql.ID
	CorrelationID string
	CausationID   string
	CausedBy      cause
}

const timelineSQL = `SELECT order_id, type, commit_pos, prepare_pos, stream, revision, occurred_at, event_id::text, correlation_id, causation_id
FROM readmodel.order_timeline WHERE order_id = ANY($1) ORDER BY order_id, commit_pos, prepare_pos`

// fetchTimeline loads the timelines of orders, each in log order, with
// what caused each entry resolved.
func (rs *requestState) fetchTimeline(ctx context.Context, orderIDs []string) (map[string][]timelineEntry, error) {
	if err := rs.fresh.wait(ctx, projTimeline); err != nil {
		return nil, err
	}
	rows, err := rs.h.pool.Query(ctx, timelineSQL, orderIDs)
	if err != nil {
		return nil, fmt.Errorf("read order timelines: %w", err)
	}
	out := make(map[string][]timelineEntry, len(orderIDs))
	var (
		id                        string
		e                         timelineEntry
		commit, prepare, revision int64
		at                        time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &e.Type, &commit, &prepare, &e.Stream, &revision, &at, &e.EventID, &e.CorrelationID, &e.CausationID}, func() error {
		e.Position = positionString(commit, prepare)
		e.Revision, e.OccurredAt = int64Scalar(revision), timeScalar(at)
		out[id] = append(out[id], e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read order timelines: %w", err)
	}
	for _, id := range orderIDs {
		if _, ok := out[id]; !ok {
			out[id] = []timelineEntry{}
		}
		resolveCauses(id, out[id])
	}
	return out, nil
}
