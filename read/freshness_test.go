package read_test

import (
	"testing"
	"time"

	"github.com/orderflow/orderflow/read"
)

// TestReadYourWrites: with X-Min-Position of a write just made, the
// response holds that write and is not flagged stale.
func TestReadYourWrites(t *testing.T) {
	// A generous wait: tests running in parallel hold the global log's
	// visibility back for moments.
	e := newEnv(t, withConfig(read.Config{MaxWait: 20 * time.Second}))
	e.catalog()
	e.CaughtUp("orders", "products")
	for i := range 5 {
		id := "o-" + string(rune('a'+i))
		pos := e.placeAt(id, "c-1", t0.Add(time.Duration(i)*time.Minute))
		r := e.do(customer("c-1"), request{Query: `query O($id: ID!) { order(id: $id) { id status lines { sku } } }`, Variables: map[string]any{"id": id}},
			"X-Min-Position", pos.String())
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		sameJSON(t, r.body, `{"data":{"order":{"id":"`+id+`","status":"PENDING","lines":[{"sku":"SKU-1"},{"sku":"SKU-2"}]}}}`)
	}
}

// TestReadYourWritesTimesOut: a position the projections do not reach
// within MaxWait is answered after about MaxWait with what they hold,
// flagged stale with the projections that were behind.
func TestReadYourWritesTimesOut(t *testing.T) {
	const maxWait = 300 * time.Millisecond
	e := newEnv(t, withConfig(read.Config{MaxWait: maxWait}))
	e.catalog()
	e.placeAt("o-1", "c-1", t0)
	e.CaughtUp("orders", "products")
	before := e.queries.n.Load()
	start := time.Now()
	r := e.do(admin, request{Query: `{ order(id: "o-1") { id } products(first: 1) { edges { node { sku } } } }`},
		"X-Min-Position", "999999999999.0")
	took := time.Since(start)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	sameJSON(t, r.body, `{"data":{"order":{"id":"o-1"},"products":{"edges":[{"node":{"sku":"SKU-1"}}]}},
		"extensions":{"stale":true,"staleProjections":["orders","products"]}}`)
	if took < maxWait || took > maxWait+2*time.Second {
		t.Fatalf("answered after %s, want about %s", took, maxWait)
	}
	// Two projections polled with a backoff from 5 to 50 ms for 300 ms,
	// and a query of each: no busy loop.
	if n := e.queries.n.Load() - before; n > 2*12+2 {
		t.Fatalf("%d SQL statements while waiting %s", n, maxWait)
	}
}

// TestFreshnessChecksEachProjectionOnce: a request with X-Min-Position
// reads each projection's checkpoint once, however many of its fields read
// that projection; a request without one reads no checkpoint.
func TestFreshnessChecksEachProjectionOnce(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	for i := range 3 {
		e.placeAt("o-"+string(rune('a'+i)), "c-1", t0.Add(time.Duration(i)*time.Minute))
	}
	e.CaughtUp("orders", "products")
	q := request{Query: `{ a: orders(first: 2) { edges { node { lines { sku } } } } b: orders(first: 3) { edges { node { id } } } p: product(sku: "SKU-1") { sku } }`}
	count := func(headers ...string) int64 {
		before := e.queries.n.Load()
		r := e.do(admin, q, headers...)
		if r.status != 200 || len(r.gql(t).Errors) > 0 || r.gql(t).Extensions != nil {
			t.Fatalf("%d %s", r.status, r.body)
		}
		return e.queries.n.Load() - before
	}
	// Two pages of orders, the lines of one, the product.
	if n := count(); n != 4 {
		t.Fatalf("%d statements without X-Min-Position, want 4", n)
	}
	// And the checkpoints of orders and products, once each.
	if n := count("X-Min-Position", e.Last().String()); n != 6 {
		t.Fatalf("%d statements with X-Min-Position, want 6", n)
	}
}
