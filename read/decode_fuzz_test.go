package read

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/orderflow/orderflow/schema"
)

// FuzzDecodeRequest feeds arbitrary bodies to the request decoder: each
// either decodes into a request with a query or is refused with a 400 the
// handler explains, never panics, and whatever it accepts survives a
// round trip unchanged.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		`{"query":"{ products { edges { cursor } } }"}`,
		`{"query":"query Q($n: Int) { products(first: $n) { edges { cursor } } }","variables":{"n":5},"operationName":"Q"}`,
		`{"query":"{ a }","variables":null,"operationName":null,"extensions":{"persistedQuery":{"version":1}}}`,
		`{"query":""}`, `{"query":5}`, `{"query":"{ a }","variables":[1]}`, `{"query":"{ a }","x":1}`,
		`{"query":"{ a }"} {}`, `[]`, `null`, `{`, ``, "{\"query\":\"\xff\"}", `{"query":"{ a }","variables":{"n":1e308}}`,
		`{"query":"\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeBody(body)
		if err != nil {
			var he *httpError
			if !errors.As(err, &he) || he.status != http.StatusBadRequest || he.code == "" || he.detail == "" {
				t.Fatalf("decode %q: %v is not a 400 the handler explains", body, err)
			}
			return
		}
		if req.Query == "" {
			t.Fatalf("decode %q: accepted without a query", body)
		}
		b, err := json.Marshal(req)
		if err != nil {
			t.Fatalf("re-encode %#v: %v", req, err)
		}
		again, err := decodeBody(b)
		if err != nil {
			t.Fatalf("a decoded request does not decode again: %s: %v", b, err)
		}
		if !reflect.DeepEqual(req, again) {
			t.Fatalf("round trip changed the request: %#v != %#v", req, again)
		}
	})
}

// FuzzAnalyzer feeds arbitrary documents, page sizes and variable values
// to the analysis before a document runs (limits and variable values): it
// never panics, and refuses only with a *requestError whose code and
// message the client can read.
func FuzzAnalyzer(f *testing.F) {
	a, err := newAnalyzer(schema.GraphQL(), DefaultLimits(), false)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		`{ orders(first: $n) { edges { node { id lines { sku } customer { orders { edges { cursor } } } } } } }`,
		`query Q($n: Int = 3) { products(first: $n) { edges { node { ...F } } } } fragment F on Product { sku ... on Product { name } }`,
		`{ ...A } fragment A on Query { ...A }`, `{ __schema { types { name } } }`, `{ a: order(id: "x") { id } }`,
		`{`, `fragment F on Order { id }`, `subscription { x }`, `mutation { x }`,
		`query W($t: Time, $n: Int) { orders(first: $n, placedAfter: $t) { edges { cursor } } }`,
		`query L($t: [Time!], $i: Int64) { orders(placedBefore: $t) { edges { cursor } } }`,
	} {
		f.Add(s, 5.0, "2026-03-01T12:30:00Z")
	}
	f.Add(`query W($t: Time) { orders(placedAfter: $t) { edges { cursor } } }`, 1.0, "yesterday")
	f.Fuzz(func(t *testing.T, query string, n float64, v string) {
		vars := map[string]any{"n": n, "t": v, "i": v}
		_, err := a.cost(query, vars)
		var re *requestError
		if err != nil && (!errors.As(err, &re) || re.code == "" || re.message == "") {
			t.Fatalf("cost(%q): %v is not a refusal the client can read", query, err)
		}
		for _, vars := range []map[string]any{vars, {"t": []any{v, n}, "i": n}} {
			for _, anonymous := range []bool{false, true} {
				if err := a.analyze(query, "", vars, anonymous).err; err != nil && (!errors.As(err, &re) || re.code == "" || re.message == "") {
					t.Fatalf("analyze(%q, %v): %v is not a refusal the client can read", query, vars, err)
				}
			}
		}
		if err != nil && (!errors.As(err, &re) || re.code == "" || re.message == "") {
			t.Fatalf("cost(%q): %v is not a refusal the client can read", query, err)
		}
		if _, err := RootFields(query, ""); err != nil && !errors.As(err, &re) && err.Error() == "" {
			t.Fatalf("RootFields(%q): empty error", query)
		}
	})
}
