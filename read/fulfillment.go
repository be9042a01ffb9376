package read

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// fulfillmentRow is a row of readmodel.fulfillments.
type fulfillmentRow struct {
	orderID, customerID, state, step string
	lastError, reason                *string
	deadline, retryAt                *time.Time
	startedAt, updatedAt             time.Time
}

// historyRecord is the GraphQL type FulfillmentRecord.
type historyRecord struct {
	Step    string
	Outcome string
	Detail  string
	At      timeScalar
	// ids are the event, causation and command ids; nil when the live
	// fulfillment read model predates them (see historyV1SQL).
	ids *recordIDs
}

// recordIDs are the ids of a history record.
type recordIDs struct {
	event, causation string
	command          *string
}

// errUpgrading answers a field whose read model is being rebuilt to the
// version that holds it.
var errUpgrading = &fieldError{code: codeNotReady, message: "this field's read model is being rebuilt for a new version; try again in a moment"}

// EventID is the id of the saga event the record is.
func (r historyRecord) EventID() (graphql.ID, error) {
	if r.ids == nil {
		return "", errUpgrading
	}
	return graphql.ID(r.ids.event), nil
}

// CausationID is the causation id of the saga event the record is.
func (r historyRecord) CausationID() (string, error) {
	if r.ids == nil {
		return "", errUpgrading
	}
	return r.ids.causation, nil
}

// CommandID is the id of the command of a step's record, nil for the
// other records.
func (r historyRecord) CommandID() (*string, error) {
	if r.ids == nil {
		return nil, errUpgrading
	}
	return r.ids.command, nil
}

const fulfillmentsSQL = `SELECT order_id, customer_id, state, step, last_error, reason, deadline, retry_at, started_at, updated_at
FROM readmodel.fulfillments WHERE order_id = ANY($1)`

// loadFulfillments loads the sagas of orders that have one, with their
// histories if withHistory: two queries at most.
func (rs *requestState) loadFulfillments(ctx context.Context, orderIDs []string, withHistory bool) (map[string]*fulfillmentResolver, error) {
	rows, err := rs.fetchFulfillments(ctx, orderIDs)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	out := make(map[string]*fulfillmentResolver, len(rows))
	found := make([]string, 0, len(rows))
	for id, row := range rows {
		out[id] = &fulfillmentResolver{row: row}
		found = append(found, id)
	}
	if !withHistory {
		return out, nil
	}
	histories, err := rs.fetchHistory(ctx, found)
	if err != nil {
		return nil, err
	}
	for id, f := range out {
		f.history = histories[id]
	}
	return out, nil
}

// fetchFulfillments reads the sagas of orders.
func (rs *requestState) fetchFulfillments(ctx context.Context, orderIDs []string) (map[string]*fulfillmentRow, error) {
	if err := rs.fresh.wait(ctx, projFulfillment); err != nil {
		return nil, err
	}
	rows, err := rs.h.pool.Query(ctx, fulfillmentsSQL, orderIDs)
	if err != nil {
		return nil, fmt.Errorf("read fulfillments: %w", err)
	}
	out := make(map[string]*fulfillmentRow, len(orderIDs))
	var f fulfillmentRow
	_, err = pgx.ForEachRow(rows, []any{&f.orderID, &f.customerID, &f.state, &f.step, &f.lastError, &f.reason, &f.deadline, &f.retryAt, &f.startedAt, &f.updatedAt}, func() error {
		row := f
		out[f.orderID] = &row
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read fulfillments: %w", err)
	}
	return out, nil
}

// historySQL reads the histories of orders.
const historySQL = `SELECT order_id, step, outcome, detail, at, event_id::text, causation_id, command_id
FROM readmodel.fulfillment_history WHERE order_id = ANY($1) ORDER BY order_id, seq`

// historyV1SQL is historySQL for a version 1 fulfillment read model, which
// has no ids: one stays live while an upgrade rebuilds it, and its
// histories still read, with the ids NOT_READY.
const historyV1SQL = `SELECT order_id, step, outcome, detail, at, NULL::text, NULL::text, NULL::text
FROM readmodel.fulfillment_history WHERE order_id = ANY($1) ORDER BY order_id, seq`

// undefinedColumn is PostgreSQL's SQLSTATE for a column that does not
// exist.
const undefinedColumn = "42703"

// fetchHistory reads the saga histories of orders, oldest record first.
func (rs *requestState) fetchHistory(ctx context.Context, orderIDs []string) (map[string][]historyRecord, error) {
	if err := rs.fresh.wait(ctx, projFulfillment); err != nil {
		return nil, err
	}
	out, err := rs.queryHistory(ctx, historySQL, orderIDs)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == undefinedColumn {
		out, err = rs.queryHistory(ctx, historyV1SQL, orderIDs)
	}
	if err != nil {
		return nil, fmt.Errorf("read fulfillment histories: %w", err)
	}
	return out, nil
}

// queryHistory runs sql, historySQL or historyV1SQL, for orders.
func (rs *requestState) queryHistory(ctx context.Context, sql string, orderIDs []string) (map[string][]historyRecord, error) {
	rows, err := rs.h.pool.Query(ctx, sql, orderIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]historyRecord, len(orderIDs))
	var (
		id                    string
		r                     historyRecord
		detail                *string
		event, cause, command *string
		at                    time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &r.Step, &r.Outcome, &detail, &at, &event, &cause, &command}, func() error {
		r.Detail, r.At, r.ids = "", timeScalar(at), nil
		if detail != nil {
			r.Detail = *detail
		}
		if event != nil && cause != nil {
			r.ids = &recordIDs{event: *event, causation: *cause}
			if command != nil {
				c := *command
				r.ids.command = &c
			}
		}
		out[id] = append(out[id], r)
		return nil
	})
	return out, err
}

// loadFulfillment returns the saga of an order if the caller may see it,
// nil when there is none or the order is someone else's.
func (rs *requestState) loadFulfillment(ctx context.Context, orderID string) (*fulfillmentResolver, error) {
	if !rs.authenticated || !validKey(orderID) {
		return nil, nil
	}
	rows, err := rs.fetchFulfillments(ctx, []string{orderID})
	row, ok := rows[orderID]
	if err != nil || !ok || !rs.canSee(row.customerID) {
		return nil, err
	}
	f := &fulfillmentResolver{row: row}
	if graphql.HasSelectedField(ctx, "history") {
		histories, err := rs.fetchHistory(ctx, []string{orderID})
		if err != nil {
			return nil, err
		}
		f.history = histories[orderID]
	}
	return f, nil
}

// fulfillmentResolver resolves the GraphQL type Fulfillment. Its history
// is loaded before it resolves.
type fulfillmentResolver struct {
	row     *fulfillmentRow
	history []historyRecord
}

// OrderID is the id of the order the saga fulfills.
func (f *fulfillmentResolver) OrderID() graphql.ID { return graphql.ID(f.row.orderID) }

// State is the saga's state: RUNNING, COMPENSATING, COMPLETED or
// COMPENSATED.
func (f *fulfillmentResolver) State() string { return strings.ToUpper(f.row.state) }

// Step is the next step the saga would run, or completed / compensated.
func (f *fulfillmentResolver) Step() string { return f.row.step }

// History is what the saga did, oldest first.
func (f *fulfillmentResolver) History() []historyRecord { return f.history }

// LastError is the saga's last error, if any.
func (f *fulfillmentResolver) LastError() *string { return f.row.lastError }

// Reason is why the saga compensates, while it does.
func (f *fulfillmentResolver) Reason() *string { return f.row.reason }

// Deadline is the payment deadline while the charge is pending.
func (f *fulfillmentResolver) Deadline() *timeScalar { return optTime(f.row.deadline) }

// RetryAt is when a parked step is retried.
func (f *fulfillmentResolver) RetryAt() *timeScalar { return optTime(f.row.retryAt) }

// StartedAt is when the saga started.
func (f *fulfillmentResolver) StartedAt() timeScalar { return timeScalar(f.row.startedAt) }

// UpdatedAt is the recorded time of the saga's last event.
func (f *fulfillmentResolver) UpdatedAt() timeScalar { return timeScalar(f.row.updatedAt) }
