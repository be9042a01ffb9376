package read_test

import (
	"fmt"
	"net/http"
	"testing"
)

// TestVariableCoercion: a variable of a custom scalar type given a value
// the scalar refuses makes the whole request an error, 400 without data,
// before any SQL; null, good values and the variables of an operation not
// run pass.
func TestVariableCoercion(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	e.placeAt("o-1", "c-1", t0) // 2025-03-01T10:00:00Z
	const window = `query W($after: Time, $before: Time) { orders(placedAfter: $after, placedBefore: $before) { edges { node { id } } } }`
	refused := []struct {
		name    string
		vars    map[string]any
		message string
	}{
		{"not RFC 3339", map[string]any{"after": "yesterday"}, `variable $after: Time must be an RFC 3339 string such as 2026-03-01T12:30:00Z, not "yesterday"`},
		{"a number", map[string]any{"before": 1700000000}, "variable $before: Time must be an RFC 3339 string, not a number"},
		{"an object", map[string]any{"after": map[string]any{"at": "now"}}, "variable $after: Time must be an RFC 3339 string, not an object"},
		{"the second is bad", map[string]any{"after": "2026-03-01T12:30:00Z", "before": "2026-13-01T00:00:00Z"}, `variable $before: Time must be an RFC 3339 string such as 2026-03-01T12:30:00Z, not "2026-13-01T00:00:00Z"`},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			before := e.queries.n.Load()
			r := e.do(admin, request{Query: window, Variables: tc.vars})
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			sameJSON(t, r.body, fmt.Sprintf(`{"errors":[{"message":%q,"extensions":{"code":"INVALID_VARIABLE"}}]}`, tc.message))
			if n := e.queries.n.Load() - before; n != 0 {
				t.Fatalf("the handler ran %d SQL statements for a refused request", n)
			}
		})
	}
	passed := []struct {
		name string
		req  request
	}{
		{"null", request{Query: window, Variables: map[string]any{"after": nil}}},
		{"an offset", request{Query: window, Variables: map[string]any{"after": "2025-03-01T10:30:00+01:00"}}},
		{"another operation's variable", request{
			Query:         window + ` query All { orders { edges { node { id } } } }`,
			OperationName: "All", Variables: map[string]any{"after": "yesterday"},
		}},
	}
	for _, tc := range passed {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(admin, tc.req, e.fresh()...)
			if r.status != http.StatusOK {
				t.Fatalf("status %d, want 200: %s", r.status, r.body)
			}
			sameJSON(t, r.body, `{"data":{"orders":{"edges":[{"node":{"id":"o-1"}}]}}}`)
		})
	}
}
