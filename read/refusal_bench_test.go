package read_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/read"
)

// BenchmarkRefusal measures, in-process, what refusing each hostile
// document costs (impl=store) against serving { __typename } (impl=raw),
// the cheapest request that runs, in the same run: benchstat -col /impl
// shows each refusal as a ratio of it.
func BenchmarkRefusal(b *testing.B) {
	e := readmodelstest.New(b)
	pool, err := pgxpool.New(context.Background(), e.URL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	h, err := read.New(read.Config{Pool: pool})
	if err != nil {
		b.Fatal(err)
	}
	handler := asPrincipal(h)
	var deep any = "x"
	for range 9000 {
		deep = []any{deep}
	}
	docs := []struct {
		name string
		req  request
	}{
		{"aliases", request{Query: aliasFlood(1256)}},
		{"root", request{Query: rootFlood(319)}},
		{"conflict", request{Query: `{ product(sku: "x") { a: sku a: name } }`}},
		{"fragments", request{Query: `{ ...A } fragment A on Query { ...B ...B ...B ...B ...B ...B ...B ...B }
fragment B on Query { ...C ...C ...C ...C ...C ...C ...C ...C } fragment C on Query { ...D ...D ...D ...D ...D ...D ...D ...D }
fragment D on Query { product(sku: "x") { sku } }`}},
		{"variable", request{Query: `query Q($v: String!) { product(sku: $v) { sku } }`, Variables: map[string]any{"v": deep}}},
	}
	serve := func(b *testing.B, body []byte, status int) {
		b.ReportAllocs()
		for b.Loop() {
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(asHeader, admin)
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			if rec.Code != status {
				b.Fatalf("%d %.300s", rec.Code, rec.Body)
			}
		}
	}
	typename, err := json.Marshal(request{Query: `{ __typename }`})
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range docs {
		body, err := json.Marshal(d.req)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("doc="+d.name+"/impl=raw", func(b *testing.B) { serve(b, typename, http.StatusOK) })
		b.Run("doc="+d.name+"/impl=store", func(b *testing.B) { serve(b, body, http.StatusBadRequest) })
	}
}
