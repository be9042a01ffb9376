package read_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/read"
)

// BenchmarkOrdersPage serves orders(first: 20) in-process, without a
// socket, by the GraphQL handler (impl=graphql) and the plain handler
// (impl=raw), so that CPU and allocations per page compare without the
// network and the load generator: what BenchmarkQueries measures end to
// end, taken apart.
func BenchmarkOrdersPage(b *testing.B) {
	e := readmodelstest.New(b)
	seedOrders(b, e)
	pool, err := pgxpool.New(context.Background(), e.URL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	h, err := read.New(read.Config{Pool: pool})
	if err != nil {
		b.Fatal(err)
	}
	body, err := json.Marshal(map[string]any{"query": benchOrdersQuery})
	if err != nil {
		b.Fatal(err)
	}
	for _, impl := range []struct {
		name    string
		handler http.Handler
	}{{"graphql", asPrincipal(h)}, {"raw", asPrincipal(rawHandler{pool: pool})}} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(asHeader, "admin:ops")
				rec := httptest.NewRecorder()
				impl.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
