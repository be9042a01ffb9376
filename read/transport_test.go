package read_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestTransportErrors: requests wrong at the HTTP level are answered with
// problem+json, and run no SQL.
func TestTransportErrors(t *testing.T) {
	e := newEnv(t, withoutProjections())
	valid := `{"query":"{ products { edges { cursor } } }"}`
	cases := []struct {
		name    string
		method  string
		query   string
		body    string
		headers []string
		status  int
		code    string
		detail  string
	}{
		{"wrong method", http.MethodPut, "", valid, nil, 405, "method_not_allowed", "PUT is not allowed; send the query with POST (application/json) or GET (?query=)"},
		{"wrong content type", http.MethodPost, "", valid, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type", "send the request body as application/json (Content-Type was text/plain)"},
		{"a long content type", http.MethodPost, "", valid, []string{"Content-Type", "text/" + strings.Repeat("x", 5000)}, 415, "unsupported_media_type", "send the request body as application/json (Content-Type was text/" + strings.Repeat("x", 59) + "…)"},
		{"no content type", http.MethodPost, "", valid, nil, 415, "unsupported_media_type", "send the request body as application/json (Content-Type was none)"},
		{"body too large", http.MethodPost, "", `{"query":"` + strings.Repeat(" ", 64<<10) + `{ products { edges { cursor } } }"}`, jsonCT, 413, "body_too_large", "the request body is larger than 65536 bytes"},
		{"malformed JSON", http.MethodPost, "", `{"query":`, jsonCT, 400, "body_malformed", "the request body is not well-formed JSON"},
		{"empty body", http.MethodPost, "", ``, jsonCT, 400, "body_empty", "the request body is empty; send a JSON object"},
		{"not an object", http.MethodPost, "", `["{ products { edges { cursor } } }"]`, jsonCT, 400, "body_wrong_type", "the request body must be a JSON object, not array"},
		{"unknown field", http.MethodPost, "", `{"query":"{ a }","mutation":"x"}`, jsonCT, 400, "field_unknown", `field "mutation" is not part of a GraphQL request (query, variables, operationName, extensions)`},
		{"variables not an object", http.MethodPost, "", `{"query":"{ a }","variables":[1]}`, jsonCT, 400, "field_wrong_type", `field "variables" has the wrong type: array`},
		{"variables nested too deep", http.MethodPost, "", `{"query":"{ a }","variables":{"v":` + strings.Repeat("[", 9000) + strings.Repeat("]", 9000) + `}}`, jsonCT, 400, "body_too_deep", "the request nests JSON arrays and objects more than 32 deep"},
		{"GET with variables nested too deep", http.MethodGet, "query=" + url.QueryEscape("{ a }") + "&variables=" + url.QueryEscape(`{"v":`+strings.Repeat("[", 40)+strings.Repeat("]", 40)+`}`), "", nil, 400, "body_too_deep", "the request nests JSON arrays and objects more than 32 deep"},
		{"trailing data", http.MethodPost, "", valid + `{}`, jsonCT, 400, "body_trailing_data", "the request body has data after the JSON object"},
		{"no query", http.MethodPost, "", `{"variables":{}}`, jsonCT, 400, "query_missing", `the request has no query; send {"query": "{ ... }"}`},
		{"invalid UTF-8", http.MethodPost, "", "{\"query\":\"{ products(after: \\\"\xff\\\") { edges { cursor } } }\"}", jsonCT, 400, "body_not_utf8", "the request body is not valid UTF-8"},
		{"GET without query", http.MethodGet, "operationName=x", "", nil, 400, "query_missing", "the request has no query; send ?query={ ... }"},
		{"GET with malformed variables", http.MethodGet, "query=" + url.QueryEscape("{ products { edges { cursor } } }") + "&variables=%7B", "", nil, 400, "variables_malformed", "the variables parameter must be a JSON object"},
		{"malformed X-Min-Position", http.MethodPost, "", valid, append([]string{"X-Min-Position", "12"}, jsonCT...), 400, "min_position_invalid", `the X-Min-Position header must be one position as the command API returns it, e.g. "1234.5"`},
		{"X-Min-Position out of range", http.MethodPost, "", valid, append([]string{"X-Min-Position", "9223372036854775808.0"}, jsonCT...), 400, "min_position_invalid", `the X-Min-Position header must be one position as the command API returns it, e.g. "1234.5"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.queries.n.Load()
			r := e.send(tc.method, tc.query, []byte(tc.body), append([]string{asHeader, admin}, tc.headers...)...)
			if r.status != tc.status || r.header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("got %d (%s) %s, want %d problem+json", r.status, r.header.Get("Content-Type"), r.body, tc.status)
			}
			sameJSON(t, r.body, fmt.Sprintf(`{"type":"urn:orderflow:problem:%s","title":%q,"status":%d,"detail":%q,"instance":"/api/v1/graphql","code":%q}`,
				tc.code, http.StatusText(tc.status), tc.status, tc.detail, tc.code))
			if tc.status == 405 && r.header.Get("Allow") != "GET, POST" {
				t.Errorf("Allow = %q", r.header.Get("Allow"))
			}
			if n := e.queries.n.Load() - before; n != 0 {
				t.Fatalf("the handler ran %d SQL statements", n)
			}
		})
	}
}

var jsonCT = []string{"Content-Type", "application/json; charset=utf-8"}

// TestGET runs a query sent as URL parameters.
func TestGET(t *testing.T) {
	e := newEnv(t)
	e.Product("SKU-1", "Widget", eur(1999), 5)
	e.CaughtUp("products")
	r := e.get(anonymous, url.Values{
		"query":         {`query P($sku: String!) { product(sku: $sku) { sku name } }`},
		"variables":     {`{"sku":"SKU-1"}`},
		"operationName": {"P"},
	})
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	sameJSON(t, r.body, `{"data":{"product":{"sku":"SKU-1","name":"Widget"}}}`)
}
