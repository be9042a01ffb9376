package projectionstest

import (
	"context"
	"fmt"
	"maps"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore"
)

// Row is one row of Counter's read model. Total is 0 at version 2,
// LastType empty at version 1.
type Row struct {
	Events       int64
	Total        int64
	LastRevision int64
	LastType     string
}

// Model is Counter's read model by stream.
type Model map[string]Row

// Equal reports whether two models hold the same rows.
func (m Model) Equal(o Model) bool { return maps.Equal(m, o) }

// Expect computes the read model Counter at version builds from events,
// leaving out those skip returns true for (parked ones) and those it cannot
// decode.
func Expect(events []eventstore.RecordedEvent, version int, skip func(eventstore.RecordedEvent) bool) Model {
	m := make(Model)
	for _, e := range events {
		amount, err := decodeAmount(e)
		if err != nil || (skip != nil && skip(e)) {
			continue
		}
		r := m[e.Stream]
		r.Events++
		r.LastRevision = int64(e.Revision)
		if version >= 2 {
			r.LastType = e.Type
		} else {
			r.Total += amount
		}
		m[e.Stream] = r
	}
	return m
}

// Querier runs a query: a pool, a connection or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Read reads a Counter read model from table (e.g. "readmodel.counter").
// Its statement is not cached: the columns of the view change with the
// projection's version.
func Read(ctx context.Context, db Querier, table string) (Model, error) {
	rows, err := db.Query(ctx, "SELECT * FROM "+table, pgx.QueryExecModeDescribeExec)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	records, err := pgx.CollectRows(rows, pgx.RowToMap)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	m := make(Model, len(records))
	for _, row := range records {
		var r Row
		r.Events, _ = row["events"].(int64)
		r.Total, _ = row["total"].(int64)
		r.LastRevision, _ = row["last_revision"].(int64)
		r.LastType, _ = row["last_type"].(string)
		m[row["stream"].(string)] = r
	}
	return m, nil
}

// ReadLog reads the whole global log of s.
func ReadLog(ctx context.Context, s eventstore.Store) ([]eventstore.RecordedEvent, error) {
	var (
		out  []eventstore.RecordedEvent
		from eventstore.Position
	)
	for {
		page, err := s.ReadAll(ctx, from, 4096)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			return out, nil
		}
		out = append(out, page...)
		from = page[len(page)-1].Position
	}
}
