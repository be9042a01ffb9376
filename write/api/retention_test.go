package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/orderflow/orderflow/write/api"
	"github.com/orderflow/orderflow/write/order"
)

// TestIdempotencyRetention: responses stored longer ago than the retention
// are pruned and younger ones kept; a retry of a pruned key is handled as
// a new request, and its order is still placed once.
func TestIdempotencyRetention(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	ctx := context.Background()
	old := e.mustPost(202, "/orders", validOrder, "Idempotency-Key", "old")
	e.mustPost(202, "/orders", validOrder, "Idempotency-Key", "young")
	if _, err := e.pool.Exec(ctx, `UPDATE api.idempotency SET created_at = now() - interval '25 hours' WHERE key = 'old'`); err != nil {
		t.Fatal(err)
	}

	n, err := api.PruneIdempotency(ctx, e.pool, 24*time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1, nil", n, err)
	}
	var keys []string
	rows, err := e.pool.Query(ctx, `SELECT key FROM api.idempotency ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if rows.Err() != nil || len(keys) != 1 || keys[0] != "young" {
		t.Fatalf("kept %v (%v), want [young]", keys, rows.Err())
	}
	if n, err := api.PruneIdempotency(ctx, e.pool, 24*time.Hour); err != nil || n != 0 {
		t.Fatalf("pruning again deleted %d, %v; want 0, nil", n, err)
	}

	again := e.mustPost(202, "/orders", validOrder, "Idempotency-Key", "old")
	id := old.json(t)["orderId"].(string)
	if got := again.json(t)["orderId"]; got != id {
		t.Fatalf("the retry placed order %v, want the same order %s", got, id)
	}
	if s := e.stream(order.StreamID(id)); len(s) != 1 {
		t.Fatalf("order %s has %d events after the retry, want 1", id, len(s))
	}
}
