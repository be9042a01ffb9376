package read_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/read"
)

// TestHostileDocumentsAreRefusedBeforeSQL sends documents over each limit:
// each is answered 400 with exactly the error naming the limit, and the
// handler runs no SQL at all.
func TestHostileDocumentsAreRefusedBeforeSQL(t *testing.T) {
	e := newEnv(t, withoutProjections())
	deep := "{ order(id: \"o-1\") { customer { orders { edges { node { customer { orders { edges { node { customer { id } } } } } } } } } } }"
	aliases := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, " o%d: orders(first: 100) { edges { node { id lines { sku } } } }", i)
		}
		b.WriteString(" }")
		return b.String()
	}
	// Each fragment level spreads the one below ten times: 10^4 leaves
	// from a document of a few hundred bytes.
	fragmentBomb := `query { products(first: 100) { edges { node { ...A } } } }
fragment A on Product { ...B ...B ...B ...B ...B ...B ...B ...B ...B ...B }
fragment B on Product { ...C ...C ...C ...C ...C ...C ...C ...C ...C ...C }
fragment C on Product { ...D ...D ...D ...D ...D ...D ...D ...D ...D ...D }
fragment D on Product { sku name sku name sku name sku name sku name }`
	// 30 fields of each of 10 lines of each of 100 orders, by fragments.
	fragmentCost := `{ orders(first: 100) { edges { node { ...F } } } }
fragment F on Order { lines { ...L ...L ...L } }
fragment L on OrderLine { sku quantity sku quantity sku quantity sku quantity sku quantity }`
	long := "{ products { edges { cursor } } }" + strings.Repeat(" ", 8<<10)
	costMessage := "the query costs more than 25000, the limit (a connection's fields count once per item of its page, a list's 10 times)"
	cases := []struct {
		name    string
		req     request
		code    string
		message string
	}{
		{"too deep", request{Query: deep}, "MAX_DEPTH_EXCEEDED", `field "id" is nested 11 deep; the limit is a depth of 10`},
		{"too long", request{Query: long}, "QUERY_TOO_LONG", fmt.Sprintf("the query is %d bytes long; the limit is 8192 bytes", len(long))},
		{"cost bomb by aliases", request{Query: aliases(30)}, "MAX_COST_EXCEEDED", costMessage},
		{"cost bomb by fragments", request{Query: fragmentCost}, "MAX_COST_EXCEEDED", costMessage},
		{"selection bomb by fragments", request{Query: fragmentBomb}, "MAX_FIELDS_EXCEEDED", "the query makes 23454 selections (a fragment's count each time it is spread); the limit is 1000"},
		{"first too large", request{Query: `{ orders(first: 100000) { edges { cursor } } }`}, "FIRST_OUT_OF_RANGE", "first must be a whole number from 0 to 100; orders asks for 100000"},
		{"first too large in a variable", request{Query: `query Q($n: Int) { products(first: $n) { edges { cursor } } }`, Variables: map[string]any{"n": 101}}, "FIRST_OUT_OF_RANGE", "first must be a whole number from 0 to 100; products asks for 101"},
		{"first too large by a variable's default", request{Query: `query Q($n: Int = 500) { products(first: $n) { edges { cursor } } }`}, "FIRST_OUT_OF_RANGE", "first must be a whole number from 0 to 100; products asks for 500"},
		{"negative first", request{Query: `{ p: products(first: -1) { edges { cursor } } }`}, "FIRST_OUT_OF_RANGE", "first must be a whole number from 0 to 100; p asks for -1"},
		{"nested first too large", request{Query: `{ customer(id: "c") { notifications(first: 1000) { edges { cursor } } } }`}, "FIRST_OUT_OF_RANGE", "first must be a whole number from 0 to 100; notifications asks for 1000"},
		{"introspection", request{Query: `{ __schema { types { name } } }`}, "INTROSPECTION_DISABLED", "introspection is disabled"},
		{"a Time literal its scalar refuses", request{Query: `{ orders(placedAfter: "yesterday") { edges { cursor } } }`}, "INVALID_ARGUMENT",
			`argument placedAfter of orders: Time must be an RFC 3339 string such as 2026-03-01T12:30:00Z, not "yesterday"`},
		{"introspection of a type", request{Query: `{ products { edges { cursor } } t: __type(name: "Order") { name } }`}, "INTROSPECTION_DISABLED", "introspection is disabled"},
		{"syntax error", request{Query: `{ orders { edges `}, "GRAPHQL_PARSE_FAILED", "syntax error: Expected Name, found <EOF> (line 1, column 18)"},
		{"no operation", request{Query: `fragment F on Order { id }`}, "GRAPHQL_PARSE_FAILED", "the document has no operation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.queries.n.Load()
			r := e.do(admin, tc.req)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			sameJSON(t, r.body, fmt.Sprintf(`{"errors":[{"message":%q,"extensions":{"code":%q}}]}`, tc.message, tc.code))
			if n := e.queries.n.Load() - before; n != 0 {
				t.Fatalf("the handler ran %d SQL statements for a refused document", n)
			}
		})
	}
}

// TestValidationErrorsRunNoSQL: a document the executor's validation
// refuses (unknown field, wrong argument type, fragment cycle) is
// answered 400 without data, and no resolver runs.
func TestValidationErrorsRunNoSQL(t *testing.T) {
	e := newEnv(t, withoutProjections())
	cases := []struct {
		name, query, message string
	}{
		{"unknown field", `{ orders { edges { node { secret } } } }`, `Cannot query field "secret" on type "Order".`},
		{"wrong argument type", `{ orders(first: "ten") { edges { cursor } } }`, `Int cannot represent non-integer value: "ten"`},
		{"fragment cycle", `{ products { edges { node { ...A } } } } fragment A on Product { ...A }`, `Cannot spread fragment "A" within itself.`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.queries.n.Load()
			r := e.do(admin, request{Query: tc.query})
			g := r.gql(t)
			if r.status != http.StatusBadRequest || g.Data != nil || len(g.Errors) != 1 || g.Errors[0]["message"] != tc.message {
				t.Fatalf("got %d %s, want 400 with the error %q", r.status, r.body, tc.message)
			}
			if n := e.queries.n.Load() - before; n != 0 {
				t.Fatalf("the handler ran %d SQL statements for an invalid document", n)
			}
		})
	}
}

// TestCost pins the cost model: a connection multiplies its fields by
// first, a list without first by 10, edges inside a connection by
// nothing more; aliases and fragments count each time.
func TestCost(t *testing.T) {
	e := newEnv(t, withoutProjections(), withConfig(read.Config{Introspection: true}))
	h := e.h
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		{"one field", `{ product(sku: "a") { sku } }`, nil, 2},
		{"a connection's default page", `{ products { edges { node { sku } } } }`, nil, 1 + 20*3},
		{"first from a variable", `query Q($n: Int) { products(first: $n) { edges { node { sku } } } }`, map[string]any{"n": 5}, 1 + 5*3},
		{"a list without first", `{ order(id: "o") { lines { sku quantity } } }`, nil, 1 + 1 + 10*2},
		{"aliases", `{ a: product(sku: "a") { sku } b: product(sku: "b") { sku } }`, nil, 4},
		{"fragments", `{ a: product(sku: "a") { ...F ...F } } fragment F on Product { sku name }`, nil, 1 + 4},
		{"inline fragments", `{ a: product(sku: "a") { ... on Product { sku } } }`, nil, 2},
		{"first: 0 still counts its fields once", `{ products(first: 0) { edges { node { sku } } } }`, nil, 4},
		{"nested connections", `{ orders(first: 10) { edges { node { customer { orders(first: 10) { edges { cursor } } } } } } }`, nil,
			1 + 10*3 + 10*(1+10*2)},
		{"introspection is free when on", `{ __schema { types { name fields { name type { ofType { ofType { ofType { ofType { name } } } } } } } } }`, nil, 0},
		{"a page of 100 orders with everything", `{ orders(first: 100) { edges { cursor node {
			id status total { amount currency }
			lines { sku quantity unitPrice { amount currency } }
			timeline { type position occurredAt correlationId causationId }
			fulfillment { step state history { step outcome detail at } }
			customer { id orderCount } } } } }`, nil,
			1 + 100*3 + 100*(2+1+2) + 100*(1+10*5) + 100*(1+10*5) + 100*(1+2+1+10*4) + 100*(1+2)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := h.Cost(tc.query, tc.vars)
			if err != nil || got != tc.want {
				t.Fatalf("Cost = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

// TestIntrospectionWhenEnabled: with Config.Introspection the schema can
// be introspected, as deeply as tools do.
func TestIntrospectionWhenEnabled(t *testing.T) {
	e := newEnv(t, withoutProjections(), withConfig(read.Config{Introspection: true}))
	data := e.data(anonymous, `{ __type(name: "OrderStatus") { kind enumValues { name } } }`, nil)
	sameJSON(t, data, `{"__type":{"kind":"ENUM","enumValues":[
		{"name":"PENDING"},{"name":"CONFIRMED"},{"name":"PAID"},{"name":"SHIPPED"},{"name":"DELIVERED"},{"name":"CANCELLED"}]}}`)
	data = e.data(anonymous, `{ __schema { queryType { fields { name type { kind ofType { kind ofType { kind ofType { kind ofType { kind ofType { kind ofType { name } } } } } } } } } } }`, nil)
	if !strings.Contains(string(data), `"name":"orders"`) {
		t.Fatalf("introspection: %s", data)
	}
	// What GraphiQL and code generators send stays within every limit.
	data = e.data(anonymous, introspectionQuery, nil)
	if !strings.Contains(string(data), `"name":"OrderConnection"`) {
		t.Fatalf("introspection: %.500s", data)
	}
}

// introspectionQuery is graphql-js's getIntrospectionQuery() with its
// default options.
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}`

// TestRootFields counts root fields as a rate limiter needs them.
func TestRootFields(t *testing.T) {
	cases := []struct {
		name, query, op string
		want            int
	}{
		{"one", `{ products { edges { cursor } } }`, "", 1},
		{"aliases", `{ a: order(id: "1") { id } b: order(id: "2") { id } c: products { edges { cursor } } }`, "", 3},
		{"fragments at the root", `query { ...R ...R } fragment R on Query { a: product(sku: "a") { sku } b: product(sku: "b") { sku } }`, "", 4},
		{"inline fragment", `{ ... on Query { a: product(sku: "a") { sku } } x: product(sku: "x") { sku } }`, "", 2},
		{"named operation", `query A { a: product(sku: "a") { sku } } query B { a: product(sku: "a") { sku } b: product(sku: "b") { sku } }`, "B", 2},
		{"nested fields do not count", `{ orders { edges { node { id lines { sku } } } } }`, "", 1},
		{"fragments spreading fragments count fast", `{ ...A } fragment A on Query { ...B ...B ...B ...B } fragment B on Query { ...C ...C ...C ...C } fragment C on Query { p: product(sku: "a") { sku } }`, "", 16},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := read.RootFields(tc.query, tc.op)
			if err != nil || got != tc.want {
				t.Fatalf("RootFields = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
	for _, bad := range []struct{ query, op string }{{`{ a`, ""}, {`query A { a: product(sku: "a") { sku } } query B { b: product(sku: "b") { sku } }`, ""}, {`{ a: product(sku: "a") { sku } }`, "Nope"}} {
		if n, err := read.RootFields(bad.query, bad.op); err == nil {
			t.Errorf("RootFields(%q, %q) = %d, want an error", bad.query, bad.op, n)
		}
	}
}
