package read_test

import (
	"bytes"
	"testing"
	"time"
)

// TestOwnership: a customer sees its own orders only, someone else's
// order being answered exactly as one that does not exist; a principal of
// no known role sees no order; an admin sees all. (Anonymous callers may
// not ask: TestAnonymousCallers.)
func TestOwnership(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	e.placeAt("o-a", "c-a", t0)
	e.placeAt("o-b", "c-b", t0.Add(time.Minute))
	e.CaughtUp("orders")

	order := `query O($id: ID!) { order(id: $id) { id customerId } }`
	orders := `{ orders { edges { node { id } } } }`
	cases := []struct {
		name, as, query string
		vars            map[string]any
		want            string
	}{
		{"own order", customer("c-a"), order, map[string]any{"id": "o-a"}, `{"order":{"id":"o-a","customerId":"c-a"}}`},
		{"another's order", customer("c-a"), order, map[string]any{"id": "o-b"}, `{"order":null}`},
		{"own orders only", customer("c-a"), orders, nil, `{"orders":{"edges":[{"node":{"id":"o-a"}}]}}`},
		{"a customer without orders", customer("c-z"), orders, nil, `{"orders":{"edges":[]}}`},
		{"another's summary", customer("c-a"), `{ customer(id: "c-b") { id } }`, nil, `{"customer":null}`},
		{"a principal of no known role", "robot:c-a", order, map[string]any{"id": "o-a"}, `{"order":null}`},
		{"admin, any order", admin, order, map[string]any{"id": "o-b"}, `{"order":{"id":"o-b","customerId":"c-b"}}`},
		{"admin, all orders", admin, orders, nil, `{"orders":{"edges":[{"node":{"id":"o-b"}},{"node":{"id":"o-a"}}]}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := *e
			e.t = t
			sameJSON(t, e.data(tc.as, tc.query, tc.vars), tc.want)
		})
	}

	another := e.do(customer("c-a"), request{Query: order, Variables: map[string]any{"id": "o-b"}})
	missing := e.do(customer("c-a"), request{Query: order, Variables: map[string]any{"id": "o-nope"}})
	if another.status != missing.status || !bytes.Equal(another.body, missing.body) {
		t.Fatalf("another's order: %d %s; a missing one: %d %s", another.status, another.body, missing.status, missing.body)
	}
}

// TestProjectionsForbidden: only admins may read the projections; a
// customer gets exactly the error "forbidden", and the other fields of
// the request still answer.
func TestProjectionsForbidden(t *testing.T) {
	e := newEnv(t)
	for _, as := range []string{customer("c-1")} {
		before := e.queries.n.Load()
		r := e.do(as, request{Query: `{ projections { name } products(first: 0) { edges { cursor } } }`})
		if r.status != 200 {
			t.Fatalf("as %q: %d %s", as, r.status, r.body)
		}
		sameJSON(t, r.body, `{"errors":[{"message":"forbidden","path":["projections"],"extensions":{"code":"FORBIDDEN"}}],
			"data":{"projections":null,"products":{"edges":[]}}}`)
		if n := e.queries.n.Load() - before; n != 0 {
			t.Fatalf("as %q: %d SQL statements", as, n)
		}
	}
}
