package api_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/order"
)

func TestPlaceOrder(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	r := e.mustPost(202, "/orders", validOrder, "X-Request-ID", "req-42", "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	body := r.json(t)
	id, _ := body["orderId"].(string)
	if id == "" || r.header.Get("Location") != "/api/v1/orders/"+id {
		t.Fatalf("orderId %q, Location %q", id, r.header.Get("Location"))
	}
	if body["status"] != "PENDING" || body["revision"] != 0.0 || r.header.Get("ETag") != `"0"` {
		t.Fatalf("body %s, ETag %s", r.body, r.header.Get("ETag"))
	}
	total, _ := body["total"].(map[string]any)
	if total["amount"] != 3998.0 || total["currency"] != "EUR" {
		t.Fatalf("total %v, want 3998 EUR from the catalog", total)
	}
	if _, err := eventstore.ParsePosition(body["position"].(string)); err != nil {
		t.Fatalf("position %q: %v", body["position"], err)
	}
	events := e.stream(order.StreamID(id))
	if len(events) != 1 || events[0].Type != order.TypePlaced {
		t.Fatalf("order stream holds %d events", len(events))
	}
	md := events[0].Metadata
	if md.CorrelationID != "req-42" || md.CausationID == "" || md.CausationID != body["commandId"] || !strings.HasPrefix(md.TraceParent, "00-0af7651916cd43dd") {
		t.Fatalf("event metadata %+v", md)
	}
	if events[0].Position.String() != body["position"] {
		t.Fatalf("position %s in the response, %s in the store", body["position"], events[0].Position)
	}
}

// TestCommandIDNamesTheEvents: the commandId of a 202 is the causation id
// of every event the command wrote, a new one for every command; a retry
// with the same Idempotency-Key is the same command, even when its first
// answer was lost, and has the same id.
func TestCommandIDNamesTheEvents(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	placed := e.mustPost(202, "/orders", validOrder, "Idempotency-Key", "place-1").json(t)
	id := placed["orderId"].(string)
	cancelled := e.mustPost(202, "/orders/"+id+"/cancel", `{"reason":"changed my mind"}`).json(t)
	events := e.stream(order.StreamID(id))
	if len(events) != 2 {
		t.Fatalf("order stream holds %d events, want 2", len(events))
	}
	for i, body := range []map[string]any{placed, cancelled} {
		if got := events[i].Metadata.CausationID; got == "" || got != body["commandId"] {
			t.Errorf("%s: causation id %q, the 202 said commandId %v", events[i].Type, got, body["commandId"])
		}
	}
	if placed["commandId"] == cancelled["commandId"] {
		t.Fatalf("two commands share the id %v", placed["commandId"])
	}

	// The first answer is lost: the retry runs again, writes nothing, and
	// names the command the events name.
	if _, err := e.pool.Exec(context.Background(), `DELETE FROM api.idempotency WHERE key = 'place-1'`); err != nil {
		t.Fatal(err)
	}
	retried := e.mustPost(202, "/orders", validOrder, "Idempotency-Key", "place-1").json(t)
	if retried["orderId"] != id || retried["commandId"] != placed["commandId"] {
		t.Fatalf("retry answered order %v command %v, the first answer order %s command %v", retried["orderId"], retried["commandId"], id, placed["commandId"])
	}
	if n := len(e.stream(order.StreamID(id))); n != 2 {
		t.Fatalf("the retry wrote: %d events", n)
	}
}

func TestPricesComeFromTheCatalog(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	r := e.post("/orders", `{"customerId":"c-1","lines":[{"sku":"SKU-1","quantity":1,"unitPrice":{"amount":1,"currency":"EUR"}}],"shippingAddress":{"name":"A","line1":"B","city":"C","postalCode":"1","country":"DE"}}`)
	if r.status != 400 || r.json(t)["code"] != "field_unknown" {
		t.Fatalf("a client-sent price: %d %s, want 400 field_unknown", r.status, r.body)
	}
}

func TestIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	first := e.mustPost(202, "/orders", validOrder, "Idempotency-Key", "k-1")
	before := e.eventCount()
	again := e.mustPost(202, "/orders", validOrder, "Idempotency-Key", "k-1")
	if !bytes.Equal(first.body, again.body) || first.header.Get("Location") != again.header.Get("Location") || first.header.Get("ETag") != again.header.Get("ETag") {
		t.Fatalf("retry answered %s, the first answer was %s", again.body, first.body)
	}
	if n := e.eventCount(); n != before {
		t.Fatalf("the retry wrote %d events", n-before)
	}

	other := e.post("/orders", strings.Replace(validOrder, `"quantity":2`, `"quantity":3`, 1), "Idempotency-Key", "k-1")
	if other.status != 422 || other.json(t)["code"] != "idempotency_key_reused" {
		t.Fatalf("same key, other body: %d %s, want 422 idempotency_key_reused", other.status, other.body)
	}
	if n := e.eventCount(); n != before {
		t.Fatalf("the refused request wrote %d events", n-before)
	}
	if r := e.mustPost(202, "/orders", validOrder, "Idempotency-Key", "k-2"); bytes.Equal(r.body, first.body) {
		t.Fatal("a new key replayed the old answer")
	}

	bad := e.post("/orders", validOrder, "Idempotency-Key", strings.Repeat("x", 256))
	if bad.status != 400 || bad.json(t)["code"] != "idempotency_key_invalid" {
		t.Fatalf("oversized key: %d %s", bad.status, bad.body)
	}
}

func TestIdempotencyKeyConcurrentRetries(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	before := e.eventCount()
	const n = 10
	answers := make([]response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = e.post("/orders", validOrder, "Idempotency-Key", "race")
		}()
	}
	wg.Wait()
	for i, a := range answers {
		if a.status != 202 || !bytes.Equal(a.body, answers[0].body) {
			t.Fatalf("answer %d: %d %s, answer 0: %s", i, a.status, a.body, answers[0].body)
		}
	}
	if got := e.eventCount() - before; got != 1 {
		t.Fatalf("%d concurrent retries wrote %d events, want 1", n, got)
	}
}

func TestBadRequestsWriteNothing(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	lines := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf(`{"sku":"S-%d","quantity":1}`, i)
		}
		return `{"customerId":"c-1","lines":[` + strings.Join(parts, ",") + `],"shippingAddress":{"name":"A","line1":"B","city":"C","postalCode":"1","country":"DE"}}`
	}
	withQty := func(q string) string { return strings.Replace(validOrder, `"quantity":2`, `"quantity":`+q, 1) }
	cases := []struct {
		name    string
		path    string
		body    string
		headers []string
		status  int
		code    string
	}{
		{"unknown field", "/orders", strings.Replace(validOrder, `"customerId"`, `"coupon":"X","customerId"`, 1), nil, 400, "field_unknown"},
		{"wrong type", "/orders", withQty(`"2"`), nil, 400, "field_wrong_type"},
		{"number too large for a quantity", "/orders", withQty(`1e30`), nil, 400, "field_wrong_type"},
		{"fractional quantity", "/orders", withQty(`1.5`), nil, 400, "field_wrong_type"},
		{"trailing data", "/orders", validOrder + `{}`, nil, 400, "body_trailing_data"},
		{"not JSON", "/orders", `{"customerId":`, nil, 400, "body_malformed"},
		{"empty body", "/orders", ``, nil, 400, "body_empty"},
		{"array body", "/orders", `[]`, nil, 400, "body_wrong_type"},
		{"invalid UTF-8", "/orders", strings.Replace(validOrder, "Berlin", "Ber\xfflin", 1), nil, 400, "body_not_utf8"},
		{"body over the limit", "/orders", `{"customerId":"` + strings.Repeat("x", 70<<10) + `"}`, nil, 413, "body_too_large"},
		{"wrong content type", "/orders", validOrder, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type"},
		{"no content type", "/orders", validOrder, []string{"Content-Type", ""}, 415, "unsupported_media_type"},
		{"zero quantity", "/orders", withQty(`0`), nil, 422, "invalid_quantity"},
		{"negative quantity", "/orders", withQty(`-1`), nil, 422, "invalid_quantity"},
		{"absurd quantity", "/orders", withQty(`1000000000`), nil, 422, "invalid_quantity"},
		{"too many lines", "/orders", lines(101), nil, 422, "too_many_lines"},
		{"unknown sku", "/orders", strings.Replace(validOrder, "SKU-1", "SKU-404", 1), nil, 422, "unknown_sku"},
		{"no customer", "/orders", strings.Replace(validOrder, `"c-1"`, `""`, 1), nil, 422, "invalid_customer_id"},
		{"bad country", "/orders", strings.Replace(validOrder, `"DE"`, `"Germany"`, 1), nil, 422, "invalid_address"},
		{"stock of zero", "/products/SKU-1/stock", `{"quantity":0}`, nil, 422, "invalid_quantity"},
		{"stock for an unknown product", "/products/NOPE/stock", `{"quantity":1}`, nil, 404, "product_not_found"},
		{"product with a bad currency", "/products", `{"sku":"S-9","name":"X","price":{"amount":100,"currency":"euro"}}`, nil, 422, "invalid_price"},
		{"product registered twice, differently", "/products", `{"sku":"SKU-1","name":"Other","price":{"amount":1999,"currency":"EUR"}}`, nil, 409, "product_already_registered"},
		{"cancel an unknown order", "/orders/nope/cancel", `{"reason":"x"}`, nil, 404, "order_not_found"},
		{"cancel with a malformed id", "/orders/a%20b/cancel", `{"reason":"x"}`, nil, 404, "order_not_found"},
		{"dispatch an unscheduled shipment", "/shipments/o-1/dispatched", `{"trackingNumber":"T"}`, nil, 404, "shipment_not_found"},
		{"unknown route", "/invoices", `{}`, nil, 404, "route_not_found"},
	}
	before := e.eventCount()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.post(tc.path, tc.body, tc.headers...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d; body %s", r.status, tc.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("Content-Type %q, want application/problem+json", ct)
			}
			p := r.json(t)
			if p["code"] != tc.code || p["type"] != "urn:orderflow:problem:"+tc.code || p["status"] != float64(tc.status) {
				t.Fatalf("problem %s, want code %s", r.body, tc.code)
			}
			if d, _ := p["detail"].(string); d == "" || strings.Contains(d, "sql") || strings.Contains(d, "pgx") {
				t.Fatalf("detail %q should explain the problem to a person", d)
			}
		})
	}
	if n := e.eventCount(); n != before {
		t.Fatalf("refused requests wrote %d events", n-before)
	}
}

func TestCancelOrder(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	id := e.mustPost(202, "/orders", validOrder).json(t)["orderId"].(string)
	path := "/orders/" + id + "/cancel"

	if r := e.post(path, `{"reason":"changed my mind"}`, "If-Match", `"7"`); r.status != 412 || r.json(t)["code"] != "revision_mismatch" {
		t.Fatalf("stale If-Match: %d %s, want 412", r.status, r.body)
	}
	if r := e.post(path, `{"reason":"changed my mind"}`, "If-Match", `W/"x"`); r.status != 400 || r.json(t)["code"] != "if_match_invalid" {
		t.Fatalf("malformed If-Match: %d %s, want 400", r.status, r.body)
	}
	if r := e.post(path, `{"reason":""}`); r.status != 422 || r.json(t)["code"] != "invalid_reason" {
		t.Fatalf("no reason: %d %s, want 422", r.status, r.body)
	}
	r := e.mustPost(202, path, `{"reason":"changed my mind"}`, "If-Match", `"0"`)
	if body := r.json(t); body["status"] != "CANCELLED" || body["revision"] != 1.0 || r.header.Get("ETag") != `"1"` {
		t.Fatalf("cancel: %s", r.body)
	}
	events := e.stream(order.StreamID(id))
	if len(events) != 2 || events[1].Type != order.TypeCancelled || !strings.Contains(string(events[1].Data), "changed my mind") {
		t.Fatalf("order stream after cancel: %d events", len(events))
	}
	again := e.mustPost(202, path, `{"reason":"changed my mind"}`)
	if again.json(t)["revision"] != 1.0 || len(e.stream(order.StreamID(id))) != 2 {
		t.Fatalf("cancelling again must change nothing: %s", again.body)
	}
}
