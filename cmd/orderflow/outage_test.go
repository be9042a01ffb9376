package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/projections/adminapi"
)

// TestPostgresRestartDuringOrderBurst: PostgreSQL restarts (fast mode)
// while 300 orders are being placed by 16 clients. Every answer is 202 or
// 503 with Retry-After and problem+json, never 500 (placeOne fails the test
// on any other); the 503s, retried with the same Idempotency-Key, leave
// exactly one order each: 300 distinct order ids and 300 order streams.
func TestPostgresRestartDuringOrderBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("process test: restarts a private PostgreSQL")
	}
	pg := startPrivatePG(t)
	api := startSystem(t, pg.url, map[string]string{"ORDERFLOW_REQUEST_TIMEOUT": "20s"}, "--roles", "api")
	p := &peakLoad{testSystem: api, dbURL: pg.url}
	p.stock(t, "SKU-R", 1000)

	const n = 300
	result := make(chan placed, 1)
	go func() { result <- p.placeOrders(t, n, 16, func(int) string { return "SKU-R" }) }()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, pg.url)
	if err != nil {
		t.Fatal(err)
	}
	for orders := 0; orders < n/4; {
		time.Sleep(20 * time.Millisecond)
		if err := conn.QueryRow(ctx, `SELECT count(DISTINCT stream_id) FROM eventstore.events WHERE stream_id LIKE 'order-%'`).Scan(&orders); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close(ctx)
	pg.restart(t)
	var done placed
	select {
	case done = <-result:
	case <-ctx.Done():
		t.Fatal("the burst did not end within 2 minutes of the restart")
	}
	if t.Failed() {
		return
	}
	ids := map[string]bool{}
	for _, id := range done.ids {
		ids[id] = true
	}
	if len(done.ids) != n || len(ids) != n {
		t.Fatalf("%d orders accepted, %d distinct ids, want %d and %d", len(done.ids), len(ids), n, n)
	}
	conn, err = pgx.Connect(ctx, pg.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var streams int
	if err := conn.QueryRow(ctx, `SELECT count(DISTINCT stream_id) FROM eventstore.events WHERE stream_id LIKE 'order-%'`).Scan(&streams); err != nil {
		t.Fatal(err)
	}
	if streams != n {
		t.Fatalf("%d order streams, want %d: one per Idempotency-Key", streams, n)
	}
	t.Logf("restart during the burst: %d answers were 503, each retried", done.shed)

	checkOutage(t, pg, api)
}

// checkOutage stops PostgreSQL and checks that, while it is down, /readyz,
// a command, a query and an admin route answer 503 (all but /readyz with
// Retry-After and problem+json), then starts it and checks that the
// command, retried with its Idempotency-Key, is accepted once.
func checkOutage(t *testing.T, pg *privatePG, api *testSystem) {
	pg.stop(t)
	if r := api.get(t, "/readyz"); r.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with PostgreSQL down: %d, want 503", r.status)
	}
	order := map[string]any{
		"lines":           []map[string]any{{"sku": "SKU-R", "quantity": 1}},
		"shippingAddress": map[string]any{"name": "A. Buyer", "line1": "1 Main St", "city": "Berlin", "postalCode": "10115", "country": "DE"},
	}
	for _, h := range []http.Header{
		api.call(t, http.MethodPost, "/api/v1/orders", api.customer, order, http.StatusServiceUnavailable, nil, "Idempotency-Key", "outage-1"),
		api.call(t, http.MethodPost, graphqlPath, api.admin, map[string]any{"query": `{ product(sku: "SKU-R") { sku } }`}, http.StatusServiceUnavailable, nil),
		api.call(t, http.MethodGet, adminapi.Prefix, api.admin, nil, http.StatusServiceUnavailable, nil),
	} {
		if h.Get("Retry-After") != "1" || h.Get("Content-Type") != "application/problem+json" {
			t.Errorf("503 with Retry-After %q and Content-Type %q, want 1 and application/problem+json", h.Get("Retry-After"), h.Get("Content-Type"))
		}
	}
	pg.start(t)
	waitUntil(t, 30*time.Second, "/readyz to answer 200 once PostgreSQL is back", func() bool {
		return api.get(t, "/readyz").status == http.StatusOK
	})
	var first, again struct{ OrderID string }
	api.call(t, http.MethodPost, "/api/v1/orders", api.customer, order, http.StatusAccepted, &first, "Idempotency-Key", "outage-1")
	api.call(t, http.MethodPost, "/api/v1/orders", api.customer, order, http.StatusAccepted, &again, "Idempotency-Key", "outage-1")
	if first.OrderID == "" || again.OrderID != first.OrderID {
		t.Fatalf("order ids %q then %q for one Idempotency-Key, want one and the same", first.OrderID, again.OrderID)
	}
}
