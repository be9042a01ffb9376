package read_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/platform/problem"
	"github.com/orderflow/orderflow/read"
)

// TestDatabaseDownIsUnavailable: with the database unreachable (its port
// refuses connections), a query answers 503 problem+json with
// Retry-After and code unavailable, not 500 nor a 200 with an internal
// error.
func TestDatabaseDownIsUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	pool, err := pgxpool.New(context.Background(), "postgres://orderflow:orderflow@"+addr+"/orderflow?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	h, err := read.New(read.Config{Pool: pool})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(asPrincipal(h))
	t.Cleanup(srv.Close)

	body, _ := json.Marshal(request{Query: `{ product(sku: "SKU-1") { sku } }`})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(asHeader, "admin:ops")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" ||
		resp.Header.Get("Content-Type") != problem.ContentType || p["code"] != "unavailable" {
		t.Fatalf("got %d Retry-After %q Content-Type %q body %v, want 503 problem+json unavailable with Retry-After 1",
			resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), p)
	}
}
