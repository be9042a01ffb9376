package read

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/jackc/pgx/v5"
)

// cursorFulfillment is the cursor kind of the fulfillments connection;
// its key is the saga's updated_at and order id.
const cursorFulfillment = "fulfillment"

// fulfillmentStates are the saga states, in the order the API lists them.
var fulfillmentStates = []string{"RUNNING", "COMPENSATING", "COMPLETED", "COMPENSATED"}

// fulfillmentsArgs are the arguments of Query.fulfillments.
type fulfillmentsArgs struct {
	State *[]string
	First *int32
	After *string
}

// fulfillmentConnection resolves the GraphQL type FulfillmentConnection.
type fulfillmentConnection struct {
	edges []fulfillmentEdge
	info  pageInfo
}

// fulfillmentEdge resolves the GraphQL type FulfillmentEdge.
type fulfillmentEdge struct {
	cursor string
	node   *fulfillmentResolver
}

// Cursor is the saga's cursor.
func (e fulfillmentEdge) Cursor() string { return e.cursor }

// Node is the saga.
func (e fulfillmentEdge) Node() *fulfillmentResolver { return e.node }

// Edges are the page's sagas with their cursors.
func (c *fulfillmentConnection) Edges() []fulfillmentEdge { return c.edges }

// PageInfo says where the page ends.
func (c *fulfillmentConnection) PageInfo() pageInfo { return c.info }

// Fulfillments returns a page of the sagas in the given states, least
// recently updated first; admins only.
func (*queryResolver) Fulfillments(ctx context.Context, args fulfillmentsArgs) (*fulfillmentConnection, error) {
	return stateFrom(ctx).loadFulfillmentPage(ctx, args)
}

// loadFulfillmentPage answers Query.fulfillments: forbidden unless the
// caller is an admin; otherwise the page, with the sagas' histories when
// the query selects them (one more query for the whole page).
func (rs *requestState) loadFulfillmentPage(ctx context.Context, args fulfillmentsArgs) (*fulfillmentConnection, error) {
	if !rs.authenticated || !rs.principal.IsAdmin() {
		return nil, errForbidden
	}
	pa, err := connectionArgs{First: args.First, After: args.After}.page(rs.h.limits.MaxFirst, cursorFulfillment)
	if err != nil {
		return nil, err
	}
	if pa.after != "" {
		if _, ok := decodeTimeCursor(cursorFulfillment, pa.after); !ok {
			return nil, errInvalidCursor
		}
	}
	states := fulfillmentStates
	if args.State != nil && len(*args.State) > 0 {
		states = slices.Compact(slices.Sorted(slices.Values(*args.State)))
	}
	if pa.first == 0 {
		return &fulfillmentConnection{edges: []fulfillmentEdge{}}, nil
	}
	if err := rs.fresh.wait(ctx, projFulfillment); err != nil {
		return nil, err
	}
	sql, params := fulfillmentPageSQL(states, pa)
	rows, err := rs.h.pool.Query(ctx, sql, params...)
	if err != nil {
		return nil, fmt.Errorf("read fulfillments: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*fulfillmentRow, error) {
		var f fulfillmentRow
		err := r.Scan(&f.orderID, &f.customerID, &f.state, &f.step, &f.lastError, &f.reason, &f.deadline, &f.retryAt, &f.startedAt, &f.updatedAt)
		return &f, err
	})
	if err != nil {
		return nil, fmt.Errorf("read fulfillments: %w", err)
	}
	hasNext := len(list) > pa.first
	list = list[:min(len(list), pa.first)]
	nodes := make([]*fulfillmentResolver, len(list))
	ids := make([]string, len(list))
	for i, f := range list {
		nodes[i], ids[i] = &fulfillmentResolver{row: f}, f.orderID
	}
	if len(ids) > 0 && graphql.HasSelectedField(ctx, "edges.node.history") {
		histories, err := rs.fetchHistory(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, n := range nodes {
			n.history = histories[n.row.orderID]
			if n.history == nil {
				n.history = []historyRecord{}
			}
		}
	}
	edges := make([]fulfillmentEdge, len(nodes))
	cursors := make([]string, len(nodes))
	for i, n := range nodes {
		cursors[i] = encodeTimeCursor(cursorFulfillment, timeKey{at: n.row.updatedAt, id: n.row.orderID})
		edges[i] = fulfillmentEdge{cursor: cursors[i], node: n}
	}
	return &fulfillmentConnection{edges: edges, info: newPageInfo(cursors, hasNext)}, nil
}

// fulfillmentPageSQL builds the query of a page of sagas in states. Each
// state reads its own stretch of the index fulfillments_by_state (state,
// updated_at DESC, order_id), backwards: updated_at ascending, order id
// descending, from the cursor on. The stretches are merged and cut to the
// page, plus one row to tell whether another page follows.
func fulfillmentPageSQL(states []string, pa pageArgs) (string, []any) {
	const columns = "order_id, customer_id, state, step, last_error, reason, deadline, retry_at, started_at, updated_at"
	var params []any
	arg := func(v any) string {
		params = append(params, v)
		return "$" + strconv.Itoa(len(params))
	}
	after := ""
	if pa.after != "" {
		k, _ := decodeTimeCursor(cursorFulfillment, pa.after)
		at, id := arg(k.at), arg(k.id)
		after = " AND updated_at >= " + at + "::timestamptz AND (updated_at > " + at + "::timestamptz OR order_id < " + id + "::text)"
	}
	limit := strconv.Itoa(pa.first + 1)
	parts := make([]string, len(states))
	for i, s := range states {
		parts[i] = "(SELECT " + columns + " FROM readmodel.fulfillments WHERE state = " + arg(s) + after +
			" ORDER BY updated_at, order_id DESC LIMIT " + limit + ")"
	}
	return "SELECT " + columns + " FROM (" + strings.Join(parts, " UNION ALL ") + ") f ORDER BY updated_at, order_id DESC LIMIT " + limit, params
}
