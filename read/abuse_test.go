package read_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/platform/metrics"
	"github.com/orderflow/orderflow/platform/metrics/metricstest"
	"github.com/orderflow/orderflow/read"
)

// aliasFlood is a document of n fields of one selection set that share
// the response key a, alternately sku and name: graphql-go's validation
// alone reports every pair of them that differs.
func aliasFlood(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = "a:sku"
		if i%2 == 1 {
			parts[i] = "a:name"
		}
	}
	return `{product(sku:"SKU-9"){` + strings.Join(parts, ",") + `}}`
}

// rootFlood is a document of n root fields that share the response key
// a, each with arguments of its own.
func rootFlood(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, `a:product(sku:"%d"){sku}`, i)
	}
	b.WriteString("}")
	return b.String()
}

// TestFieldFloodsAreRefusedWhole: documents whose fields share response
// keys, which graphql-go's validation would answer with one error per
// pair (hundreds of thousands, tens of megabytes), are refused before it
// runs with one short error, and run no SQL.
func TestFieldFloodsAreRefusedWhole(t *testing.T) {
	reg, observer := newObserver(t)
	e := newEnv(t, withoutProjections(), withConfig(read.Config{Observer: observer}))
	perSet := "the selection set of %s selects more than 100 fields (fragments and fields of the same response key merged), the limit"
	cases := []struct {
		name, query, code, message string
	}{
		{"1,256 fields of key a in one set", aliasFlood(1256), "MAX_FIELDS_EXCEEDED",
			"the query makes 1257 selections (a fragment's count each time it is spread); the limit is 1000"},
		{"319 root fields of key a", rootFlood(319), "RESPONSE_KEY_CONFLICT",
			`response key "a" is used twice in the selection set of the operation, and it names product with different arguments; give each field its own alias`},
		{"two fields of one key", `{ product(sku: "x") { a: sku a: name } }`, "RESPONSE_KEY_CONFLICT",
			`response key "a" is used twice in the selection set of field product, and it names the fields sku and name; give each field its own alias`},
		{"a field and a fragment's", `{ product(sku: "x") { a: sku ...F } } fragment F on Product { a: name }`, "RESPONSE_KEY_CONFLICT",
			`response key "a" is used twice in the selection set of field product, and it names the fields sku and name; give each field its own alias`},
		{"an inline fragment's", `{ product(sku: "x") { sku ... on Product { sku: name } } }`, "RESPONSE_KEY_CONFLICT",
			`response key "sku" is used twice in the selection set of field product, and it names the fields sku and name; give each field its own alias`},
		{"fields merged below one key", `{ p: product(sku: "x") { a: sku } p: product(sku: "x") { a: name } }`, "RESPONSE_KEY_CONFLICT",
			`response key "a" is used twice in the selection set of field p, and it names the fields sku and name; give each field its own alias`},
		{"different arguments by a variable", `query Q($s: String!) { p: product(sku: "x") { sku } p: product(sku: $s) { sku } }`, "RESPONSE_KEY_CONFLICT",
			`response key "p" is used twice in the selection set of the operation, and it names product with different arguments; give each field its own alias`},
		{"in a fragment that is never spread", `{ product(sku: "x") { sku } } fragment F on Product { a: sku a: name }`, "RESPONSE_KEY_CONFLICT",
			`response key "a" is used twice in the selection set of fragment F, and it names the fields sku and name; give each field its own alias`},
		{"101 fields of one set", `{ product(sku: "x") {` + strings.Repeat(" sku", 101) + ` } }`, "MAX_FIELDS_EXCEEDED", fmt.Sprintf(perSet, "field product")},
		{"101 fields of one set by fragments", `{ product(sku: "x") { ...F ...F ...G } } fragment F on Product {` + strings.Repeat(" sku", 50) + ` } fragment G on Product { name }`,
			"MAX_FIELDS_EXCEEDED", fmt.Sprintf(perSet, "field product")},
		{"101 root fields", `{` + strings.Repeat(` __typename`, 101) + ` }`, "MAX_FIELDS_EXCEEDED", fmt.Sprintf(perSet, "the operation")},
		{"fragments spreading fragments with no fields", `{ ...A } fragment A on Query { ...B ...B ...B ...B ...B ...B ...B ...B }
fragment B on Query { ...C ...C ...C ...C ...C ...C ...C ...C } fragment C on Query { ...D ...D ...D ...D ...D ...D ...D ...D }
fragment D on Query { ...E ...E ...E ...E ...E ...E ...E ...E } fragment E on Query { ...Nowhere }`, "MAX_FIELDS_EXCEEDED",
			"the query makes 18802 selections (a fragment's count each time it is spread); the limit is 1000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.queries.n.Load()
			r := e.do(admin, request{Query: tc.query})
			want := fmt.Sprintf(`{"errors":[{"message":%q,"extensions":{"code":%q}}]}`, tc.message, tc.code)
			if r.status != http.StatusBadRequest || len(r.body) != len(want)+1 {
				t.Fatalf("got %d, %d bytes: %.500s; want 400, %d bytes", r.status, len(r.body), r.body, len(want)+1)
			}
			sameJSON(t, r.body, want)
			if n := e.queries.n.Load() - before; n != 0 {
				t.Fatalf("the handler ran %d SQL statements for a refused document", n)
			}
		})
	}
	requireMetrics(t, reg, `orderflow_graphql_refused_total{code="MAX_FIELDS_EXCEEDED"} 5`, `orderflow_graphql_refused_total{code="RESPONSE_KEY_CONFLICT"} 7`)
}

// newObserver returns a metrics registry and the GraphQL metrics on it.
func newObserver(t *testing.T) (*metrics.Registry, *metrics.GraphQL) {
	t.Helper()
	reg := metrics.New()
	g, err := metrics.NewGraphQL(reg)
	if err != nil {
		t.Fatal(err)
	}
	return reg, g
}

// requireMetrics fails unless the registry's exposition has every line.
func requireMetrics(t *testing.T, reg *metrics.Registry, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !slices.Contains(metricstest.Lines(t, reg, l), l) {
			t.Errorf("metrics lack %q", l)
		}
	}
}

// TestMergeableFieldsAreServed: fields that share a response key and are
// the same field with the same arguments (in any order), however they
// come together, are merged and served.
func TestMergeableFieldsAreServed(t *testing.T) {
	e := newEnv(t)
	e.Product("SKU-1", "Widget", eur(1999), 5)
	e.CaughtUp("products")
	sameJSON(t, e.data(anonymous, `{ product(sku: "SKU-1") { a: sku a: sku ...F ... on Product { a: sku name } } } fragment F on Product { a: sku name }`, nil),
		`{"product":{"a":"SKU-1","name":"Widget"}}`)
	sameJSON(t, e.data(anonymous, `{ p: products(first: 1, after: null) { edges { node { sku } } } p: products(after: null, first: 1) { edges { cursor node { name } } } }`, nil),
		`{"p":{"edges":[{"node":{"sku":"SKU-1","name":"Widget"},"cursor":"cHJvZHVjdDpTS1UtMQ"}]}}`)
}

// TestErrorsAreCapped: a document with more errors than ten that reaches
// graphql-go's validation is answered with the first ten and one that
// says how many were dropped.
func TestErrorsAreCapped(t *testing.T) {
	reg, observer := newObserver(t)
	e := newEnv(t, withoutProjections(), withConfig(read.Config{Observer: observer}))
	var b strings.Builder
	b.WriteString(`{ product(sku: "x") {`)
	for i := range 30 {
		fmt.Fprintf(&b, " x%d", i)
	}
	b.WriteString(" } }")
	r := e.do(admin, request{Query: b.String()})
	g := r.gql(t)
	if r.status != http.StatusBadRequest || g.Data != nil || len(g.Errors) != 11 {
		t.Fatalf("got %d with %d errors: %s", r.status, len(g.Errors), r.body)
	}
	for i, err := range g.Errors[:10] {
		if want := fmt.Sprintf(`Cannot query field "x%d" on type "Product".`, i); err["message"] != want {
			t.Errorf("error %d: %v, want %q", i, err["message"], want)
		}
	}
	last, _ := json.Marshal(g.Errors[10])
	sameJSON(t, last, `{"message":"20 more errors were dropped","extensions":{"code":"ERRORS_DROPPED","count":20}}`)
	requireMetrics(t, reg, `orderflow_graphql_errors_dropped_total 20`)
}

// TestResponseSizeIsCapped: a response over MaxResponseBytes is replaced
// by exactly one error; a smaller one is served whole.
func TestResponseSizeIsCapped(t *testing.T) {
	reg, observer := newObserver(t)
	e := newEnv(t, withConfig(read.Config{Limits: read.Limits{MaxResponseBytes: 2000}, Observer: observer}))
	for i := range 30 {
		e.Product(fmt.Sprintf("SKU-%02d", i), "A product with a name of some length", eur(1999), 5)
	}
	e.CaughtUp("products")
	q := `query P($n: Int) { products(first: $n) { edges { cursor node { sku name } } } }`
	if r := e.do(anonymous, request{Query: q, Variables: map[string]any{"n": 2}}); r.status != http.StatusOK || len(r.gql(t).Errors) != 0 {
		t.Fatalf("a page of 2: %d %s", r.status, r.body)
	}
	r := e.do(anonymous, request{Query: q, Variables: map[string]any{"n": 30}})
	g := r.gql(t)
	if r.status != http.StatusBadRequest || g.Data != nil || len(g.Errors) != 1 || len(r.body) > 300 {
		t.Fatalf("a page of 30: %d %s", r.status, r.body)
	}
	msg, _ := g.Errors[0]["message"].(string)
	if g.Errors[0]["extensions"].(map[string]any)["code"] != "RESPONSE_TOO_LARGE" ||
		!strings.HasPrefix(msg, "the response would be ") || !strings.HasSuffix(msg, " bytes; the limit is 2000 bytes: ask for fewer items or fields") {
		t.Fatalf("a page of 30: %s", r.body)
	}
	refused := 0
	for _, rec := range e.logs.Warnings(t) {
		if msg, _ := rec["msg"].(string); strings.HasPrefix(msg, "graphql response too large") {
			refused++
		}
	}
	if refused != 1 {
		t.Fatalf("%d WARN lines for the response refused, want 1: %s", refused, e.logs.String())
	}
	requireMetrics(t, reg, `orderflow_graphql_refused_total{code="RESPONSE_TOO_LARGE"} 1`)
}

// TestErrorsDoNotEchoLargeInput: whatever part of a request an error
// repeats (a variable's value, a field, alias, fragment, variable or
// operation name, a token of a syntax error, a JSON member) is cut to a
// few dozen characters: every answer is short, and marks the cut where
// it repeats the input at all.
func TestErrorsDoNotEchoLargeInput(t *testing.T) {
	e := newEnv(t, withoutProjections())
	long := strings.Repeat("z", 3000)
	var deep any = long
	for range 30 { // within the JSON depth the transport allows
		deep = []any{deep}
	}
	nested := "{ order(id: \"o-1\") { customer { orders { edges { node { customer { orders { edges { node { customer { " + long + ": id } } } } } } } } } } }"
	cases := []struct {
		name   string
		req    request
		status int
	}{
		{"a deep variable", request{Query: `query Q($v: String!) { product(sku: $v) { sku } }`, Variables: map[string]any{"v": deep}}, 400},
		{"an unknown field", request{Query: `{ product(sku: "x") { ` + long + ` } }`}, 400},
		{"a syntax error", request{Query: `{ product(sku: "x") { sku } } ` + long}, 400},
		{"an unknown operation", request{Query: `query A { product(sku: "x") { sku } }`, OperationName: long}, 400},
		{"an alias nested too deep", request{Query: nested}, 400},
		{"a wrong argument", request{Query: `{ products(first: "` + long + `") { edges { cursor } } }`}, 400},
		{"an unused variable", request{Query: `query Q($` + long + `: Int) { products { edges { cursor } } }`}, 400},
		{"a Time variable", request{Query: `query Q($t: Time) { orders(placedAfter: $t) { edges { cursor } } }`, Variables: map[string]any{"t": long}}, 400},
		{"a Time literal", request{Query: `{ orders(placedAfter: "` + long + `") { edges { cursor } } }`}, 400},
		{"a list of Time literals", request{Query: `{ orders(placedAfter: ["2026-03-01T12:30:00Z", "` + long + `"]) { edges { cursor } } }`}, 400},
		{"an operation name of a variable's error", request{Query: `query ` + long + `($n: Int) { products(first: $n) { edges { cursor } } }`, Variables: map[string]any{"n": "ten"}}, 400},
		{"an unknown fragment", request{Query: `{ product(sku: "x") { ...` + long + ` } }`}, 400},
		{"a variable of an input object", request{Query: `query Q($s: [FulfillmentState!]) { fulfillments(state: $s) { edges { cursor } } }`, Variables: map[string]any{"s": []any{long}}}, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(admin, tc.req)
			g := r.gql(t)
			echoed := strings.Contains(string(r.body), "zzzz")
			if r.status != tc.status || len(g.Errors) == 0 || len(r.body) > 1024 || echoed && !strings.Contains(string(r.body), "zzz…") {
				t.Fatalf("got %d, %d bytes: %.2000s", r.status, len(r.body), r.body)
			}
		})
	}
	r := e.send(http.MethodPost, "", []byte(`{"query":"{ a }","`+long+`":1}`), "Content-Type", "application/json", asHeader, admin)
	if r.status != http.StatusBadRequest || len(r.body) > 1024 || !strings.Contains(string(r.body), "zzz…") {
		t.Fatalf("an unknown JSON member: %d, %d bytes: %.2000s", r.status, len(r.body), r.body)
	}
}
