package read_test

import (
	"fmt"
	"net/http"
	"testing"
)

// TestAnonymousCallers: a caller without a token may query the catalog
// (product, products) and __typename; a document that selects any other
// root field, directly or through fragments, is refused whole with 401
// and one error naming the field, before any SQL runs.
func TestAnonymousCallers(t *testing.T) {
	e := newEnv(t)
	e.Product("SKU-1", "Widget", eur(1999), 5)
	e.CaughtUp("products")
	sameJSON(t, e.data(anonymous, `{ __typename product(sku: "SKU-1") { sku } products(first: 1) { edges { node { name } } } }`, nil),
		`{"__typename":"Query","product":{"sku":"SKU-1"},"products":{"edges":[{"node":{"name":"Widget"}}]}}`)

	cases := []struct{ name, query, field string }{
		{"order", `{ order(id: "o-1") { id } }`, "order"},
		{"orders", `{ orders { edges { cursor } } }`, "orders"},
		{"customer", `{ customer(id: "c-1") { id } }`, "customer"},
		{"fulfillment", `{ fulfillment(orderId: "o-1") { state } }`, "fulfillment"},
		{"fulfillments", `{ fulfillments { edges { cursor } } }`, "fulfillments"},
		{"fulfillmentStats", `{ fulfillmentStats { byState { state } } }`, "fulfillmentStats"},
		{"projections beside products", `{ products { edges { cursor } } projections { name } }`, "projections"},
		{"through a fragment", `{ ...Q } fragment Q on Query { product(sku: "SKU-1") { sku } o: orders { edges { cursor } } }`, "orders"},
		{"through an inline fragment", `{ ... on Query { customer(id: "c-1") { id } } }`, "customer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.queries.n.Load()
			r := e.do(anonymous, request{Query: tc.query})
			if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") != "Bearer" {
				t.Fatalf("got %d (WWW-Authenticate %q) %s, want 401", r.status, r.header.Get("WWW-Authenticate"), r.body)
			}
			sameJSON(t, r.body, fmt.Sprintf(`{"errors":[{"message":"\"%s\" needs a token: without one, only the catalog (product, products) may be queried","extensions":{"code":"UNAUTHENTICATED"}}]}`, tc.field))
			if n := e.queries.n.Load() - before; n != 0 {
				t.Fatalf("%d SQL statements for a refused document", n)
			}
		})
	}
}
