package readmodelstest

import (
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Select runs a query and scans its rows into Ts by column name (see
// pgx.RowToStructByName), with every time in UTC so that rows compare
// with reflect.DeepEqual against times made with time.Date(..., time.UTC).
// It returns an empty slice, never nil, when there are no rows, and fails
// the test on an error.
func Select[T any](t testing.TB, db Querier, sql string, args ...any) []T {
	t.Helper()
	rows, err := db.Query(t.Context(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if out == nil {
		out = []T{}
	}
	for i := range out {
		inUTC(reflect.ValueOf(&out[i]).Elem())
	}
	return out
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	timestamptzType = reflect.TypeFor[pgtype.Timestamptz]()
)

// inUTC sets every time in v, a settable struct, to UTC.
func inUTC(v reflect.Value) {
	for i := range v.NumField() {
		f := v.Field(i)
		if !f.CanSet() {
			continue
		}
		switch f.Type() {
		case timeType:
			f.Set(reflect.ValueOf(f.Interface().(time.Time).UTC()))
		case timestamptzType:
			ts := f.Interface().(pgtype.Timestamptz)
			if ts.Valid {
				ts.Time = ts.Time.UTC()
			}
			f.Set(reflect.ValueOf(ts))
		}
	}
}

// Time returns a pgtype.Timestamptz of t in UTC at the database's
// precision (pgx sends microseconds, truncated), NULL when t is zero.
func Time(t time.Time) pgtype.Timestamptz {
	if t.IsZero() {
		return pgtype.Timestamptz{}
	}
	return pgtype.Timestamptz{Time: t.UTC().Truncate(time.Microsecond), Valid: true}
}

// Text returns a valid pgtype.Text of s.
func Text(s string) pgtype.Text { return pgtype.Text{String: s, Valid: true} }
