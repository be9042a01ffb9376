package api_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/orderflow/orderflow/write/order"
)

// TestIdempotencyKeyIsPerCaller: customer B sending the request customer A
// sent, with A's Idempotency-Key, gets nothing of A's: not A's stored
// response, not A's order id; its own request runs. A's retry still gets
// A's response back.
func TestIdempotencyKeyIsPerCaller(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	a, b := e.customer("c-a"), e.customer("c-b")
	body := orderBody(t, "") // each places for itself

	first := e.mustPost(202, "/orders", body, "Authorization", a, "Idempotency-Key", "shared")
	theirs := e.mustPost(202, "/orders", body, "Authorization", b, "Idempotency-Key", "shared")
	idA, idB := first.json(t)["orderId"].(string), theirs.json(t)["orderId"].(string)
	if idA == idB || bytes.Equal(first.body, theirs.body) || first.header.Get("Location") == theirs.header.Get("Location") {
		t.Fatalf("B's request with A's key answered %s, A's %s", theirs.body, first.body)
	}
	for id, customer := range map[string]string{idA: "c-a", idB: "c-b"} {
		s := e.stream(order.StreamID(id))
		if len(s) != 1 || !bytes.Contains(s[0].Data, []byte(`"customerId":"`+customer+`"`)) || s[0].Metadata.UserID != customer {
			t.Fatalf("order %s: %d events, want one placed by %s", id, len(s), customer)
		}
	}
	if again := e.mustPost(202, "/orders", body, "Authorization", a, "Idempotency-Key", "shared"); !bytes.Equal(again.body, first.body) {
		t.Fatalf("A's retry answered %s, A's first answer was %s", again.body, first.body)
	}

	// A cancels with a key; B replaying the same request and key gets the
	// answer for an order it may not see, not A's.
	path := "/orders/" + idA + "/cancel"
	cancelled := e.mustPost(202, path, `{"reason":"changed my mind"}`, "Authorization", a, "Idempotency-Key", "c-shared")
	replayed := e.post(path, `{"reason":"changed my mind"}`, "Authorization", b, "Idempotency-Key", "c-shared")
	if replayed.status != 404 || replayed.json(t)["code"] != "order_not_found" || bytes.Contains(replayed.body, []byte("CANCELLED")) {
		t.Fatalf("B replaying A's cancellation: %d %s, want 404 order_not_found; A got %s", replayed.status, replayed.body, cancelled.body)
	}

	var rows int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM api.idempotency WHERE key = 'shared'`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 2 {
		t.Fatalf("%d stored responses for key shared, want one per caller", rows)
	}
}
