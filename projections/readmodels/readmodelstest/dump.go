package readmodelstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Querier runs queries: a pool, a connection or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Tables is the content of some tables: by table name, every row as a line
// of column=value pairs, the rows in the order of all their columns.
type Tables map[string][]string

// Diff describes how t differs from want, or returns "" when they hold the
// same rows.
func (t Tables) Diff(want Tables) string {
	var b strings.Builder
	names := make([]string, 0, len(t)+len(want))
	for n := range t {
		names = append(names, n)
	}
	for n := range want {
		if _, ok := t[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		got, ok := t[n]
		exp, wantOK := want[n]
		switch {
		case !ok:
			fmt.Fprintf(&b, "table %s: missing\n", n)
			continue
		case !wantOK:
			fmt.Fprintf(&b, "table %s: not expected\n", n)
			continue
		}
		if slices.Equal(got, exp) {
			continue
		}
		fmt.Fprintf(&b, "table %s: %d rows, want %d\n", n, len(got), len(exp))
		shown := 0
		for _, r := range got {
			if !slices.Contains(exp, r) && shown < 5 {
				fmt.Fprintf(&b, "  unexpected %s\n", r)
				shown++
			}
		}
		for _, r := range exp {
			if !slices.Contains(got, r) && shown < 10 {
				fmt.Fprintf(&b, "  missing    %s\n", r)
				shown++
			}
		}
	}
	return b.String()
}

// Rows returns the rows of table (a qualified name such as
// readmodel.orders) as lines of column=value pairs, in the order of all
// their columns.
func Rows(ctx context.Context, db Querier, table string) ([]string, error) {
	schema, name, ok := strings.Cut(table, ".")
	if !ok {
		return nil, fmt.Errorf("rows of %s: the name is not qualified", table)
	}
	rows, err := db.Query(ctx, `SELECT attname FROM pg_attribute
WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
		pgx.Identifier{schema, name}.Sanitize())
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	columns, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	if len(columns) == 0 {
		return nil, fmt.Errorf("rows of %s: no such table", table)
	}
	list := make([]string, len(columns))
	for i, c := range columns {
		list[i] = pgx.Identifier{c}.Sanitize()
	}
	sql := fmt.Sprintf("SELECT %[1]s FROM %[2]s ORDER BY %[1]s", strings.Join(list, ", "), pgx.Identifier{schema, name}.Sanitize())
	rows, err = db.Query(ctx, sql, pgx.QueryExecModeDescribeExec)
	if err != nil {
		return nil, fmt.Errorf("rows of %s: %w", table, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		values, err := r.Values()
		if err != nil {
			return "", err
		}
		fields := make([]string, len(values))
		for i, v := range values {
			fields[i] = columns[i] + "=" + format(v)
		}
		return strings.Join(fields, " "), nil
	})
	if err != nil {
		return nil, fmt.Errorf("rows of %s: %w", table, err)
	}
	return out, nil
}

// format writes a column value so that equal values read alike.
func format(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case [16]byte:
		return fmt.Sprintf("%x", v[:])
	case string:
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%v", v)
}

// Dump returns every table of the live generation of projection name,
// views and bookkeeping alike, by table name.
func Dump(ctx context.Context, db Querier, name string) (Tables, error) {
	var gen int
	err := db.QueryRow(ctx, `SELECT generation FROM projections.checkpoints WHERE name = $1`, name).Scan(&gen)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("dump %s: no live generation", name)
	}
	if err != nil {
		return nil, fmt.Errorf("dump %s: %w", name, err)
	}
	return DumpSchema(ctx, db, fmt.Sprintf("proj_%s_%d", name, gen))
}

// DumpSchema returns every table of schema, by table name.
func DumpSchema(ctx context.Context, db Querier, schema string) (Tables, error) {
	rows, err := db.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename`, schema)
	if err != nil {
		return nil, fmt.Errorf("tables of %s: %w", schema, err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("tables of %s: %w", schema, err)
	}
	out := make(Tables, len(names))
	for _, n := range names {
		if out[n], err = Rows(ctx, db, schema+"."+n); err != nil {
			return nil, err
		}
	}
	return out, nil
}
