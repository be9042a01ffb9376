package read

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// fulfillmentStats resolves the GraphQL type FulfillmentStats.
type fulfillmentStats struct {
	byState []stateCount
	byStep  []stepCount
}

// ByState counts the sagas in each state that has any, in state order.
func (s *fulfillmentStats) ByState() []stateCount { return s.byState }

// ByStep counts the sagas at each step, the most common step first.
func (s *fulfillmentStats) ByStep() []stepCount { return s.byStep }

// stateCount resolves the GraphQL type FulfillmentStateCount.
type stateCount struct {
	State string
	Count int64Scalar
}

// stepCount resolves the GraphQL type FulfillmentStepCount.
type stepCount struct {
	Step  string
	Count int64Scalar
}

// FulfillmentStats counts the sagas by state and by step; admins only.
func (*queryResolver) FulfillmentStats(ctx context.Context) (*fulfillmentStats, error) {
	return stateFrom(ctx).loadFulfillmentStats(ctx)
}

// fulfillmentCountsSQL counts the sagas of each state and step at once:
// one pass over the read model serves both lists.
const fulfillmentCountsSQL = `SELECT state, step, count(*) FROM readmodel.fulfillments GROUP BY state, step`

// loadFulfillmentStats answers Query.fulfillmentStats: forbidden unless
// the caller is an admin.
func (rs *requestState) loadFulfillmentStats(ctx context.Context) (*fulfillmentStats, error) {
	if !rs.authenticated || !rs.principal.IsAdmin() {
		return nil, errForbidden
	}
	if err := rs.fresh.wait(ctx, projFulfillment); err != nil {
		return nil, err
	}
	rows, err := rs.h.pool.Query(ctx, fulfillmentCountsSQL)
	if err != nil {
		return nil, fmt.Errorf("count fulfillments: %w", err)
	}
	states := make(map[string]int64)
	steps := make(map[string]int64)
	var (
		state, step string
		n           int64
	)
	if _, err := pgx.ForEachRow(rows, []any{&state, &step, &n}, func() error {
		states[state] += n
		steps[step] += n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("count fulfillments: %w", err)
	}
	out := &fulfillmentStats{byState: []stateCount{}, byStep: make([]stepCount, 0, len(steps))}
	for _, s := range fulfillmentStates {
		if n, ok := states[s]; ok {
			out.byState = append(out.byState, stateCount{State: s, Count: int64Scalar(n)})
		}
	}
	for s, n := range steps {
		out.byStep = append(out.byStep, stepCount{Step: s, Count: int64Scalar(n)})
	}
	slices.SortFunc(out.byStep, func(a, b stepCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Step, b.Step))
	})
	return out, nil
}
