package api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/write/order"
)

// TestAnotherCustomersOrderLooksAbsent: customer B cancelling customer A's
// order gets, byte for byte, the answer it got for the same order id
// before the order existed, whatever it sends; the same answer, the id
// aside, as for an order id never used; A's order is left unchanged; and
// A can still cancel it.
func TestAnotherCustomersOrderLooksAbsent(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	a, b := e.customer("c-a"), e.customer("c-b")
	placed := e.mustPost(202, "/orders", orderBody(t, ""), "Authorization", a).json(t)["orderId"].(string)

	requests := []struct {
		name    string
		body    string
		headers func(phase string) []string
		status  int
		code    string
	}{
		{"cancel", `{"reason":"mine now"}`, nil, 404, "order_not_found"},
		{"cancel with an Idempotency-Key", `{"reason":"mine now"}`, func(phase string) []string { return []string{"Idempotency-Key", "k-" + phase} }, 404, "order_not_found"},
		{"cancel at the order's revision", `{"reason":"mine now"}`, func(string) []string { return []string{"If-Match", `"0"`} }, 412, "revision_mismatch"},
		{"cancel without a reason", `{"reason":""}`, nil, 422, "invalid_reason"},
	}
	send := func(id, body, phase string, headers func(string) []string) response {
		h := []string{"Authorization", b}
		if headers != nil {
			h = append(h, headers(phase)...)
		}
		return e.post("/orders/"+id+"/cancel", body, h...)
	}
	const later = "o-later" // placed for A once B has asked about it
	before := map[string]response{}
	for _, rq := range requests {
		before[rq.name] = send(later, rq.body, "before", rq.headers)
	}
	e.placeFor("c-a", later)
	events := e.eventCount()

	for _, rq := range requests {
		t.Run(rq.name, func(t *testing.T) {
			was, got := before[rq.name], send(later, rq.body, "after", rq.headers)
			if got.status != rq.status || got.json(t)["code"] != rq.code {
				t.Fatalf("B on A's order: %d %s, want %d %s", got.status, got.body, rq.status, rq.code)
			}
			if got.status != was.status || !bytes.Equal(got.body, was.body) {
				t.Fatalf("B on A's order: %d %s; before the order existed: %d %s", got.status, got.body, was.status, was.body)
			}
			for _, h := range []string{"Content-Type", "ETag", "Location", "Cache-Control"} {
				if got.header.Get(h) != was.header.Get(h) {
					t.Fatalf("header %s: %q on A's order, %q before it existed", h, got.header.Get(h), was.header.Get(h))
				}
			}
			onA, never := send(placed, rq.body, "a", rq.headers), send("o-never", rq.body, "never", rq.headers)
			if onA.status != never.status || string(onA.body) != strings.ReplaceAll(string(never.body), "o-never", placed) {
				t.Fatalf("B on the order A placed: %d %s; on an id never used: %d %s", onA.status, onA.body, never.status, never.body)
			}
		})
	}

	if n := e.eventCount() - events; n != 0 {
		t.Fatalf("B's requests wrote %d events", n)
	}
	for _, id := range []string{placed, later} {
		if s := e.stream(order.StreamID(id)); len(s) != 1 || s[0].Type != order.TypePlaced {
			t.Fatalf("A's order %s holds %d events, want only its placement", id, len(s))
		}
	}
	e.mustPost(202, "/orders/"+placed+"/cancel", `{"reason":"changed my mind"}`, "Authorization", a, "If-Match", `"0"`)
	if s := e.stream(order.StreamID(placed)); len(s) != 2 || s[1].Type != order.TypeCancelled || s[1].Metadata.UserID != "c-a" {
		t.Fatalf("A cancelling its own order: %d events", len(s))
	}
}
