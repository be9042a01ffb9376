package api_test

import (
	"bytes"
	"testing"

	"github.com/orderflow/orderflow/write/order"
)

// TestPlaceOrderFor: a customer places orders for itself, leaving
// customerId out or sending its own, and is refused 403 for anyone else;
// an admin names the customer.
func TestPlaceOrderFor(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	tests := []struct {
		name          string
		authorization string
		customerID    string // in the body; "" leaves it out
		status        int
		code          string
		placedFor     string
	}{
		{"customer, customerId left out", e.customer("c-1"), "", 202, "", "c-1"},
		{"customer, its own customerId", e.customer("c-1"), "c-1", 202, "", "c-1"},
		{"customer, another customerId", e.customer("c-1"), "c-2", 403, "forbidden", ""},
		{"admin, a customerId", e.admin, "c-2", 202, "", "c-2"},
		{"admin, customerId left out", e.admin, "", 422, "invalid_customer_id", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.eventCount()
			r := e.mustPost(tc.status, "/orders", orderBody(t, tc.customerID), "Authorization", tc.authorization)
			if tc.code != "" {
				if r.json(t)["code"] != tc.code || e.eventCount() != before {
					t.Fatalf("refusal %s, want %s and no events", r.body, tc.code)
				}
				return
			}
			s := e.stream(order.StreamID(r.json(t)["orderId"].(string)))
			if len(s) != 1 || !bytes.Contains(s[0].Data, []byte(`"customerId":"`+tc.placedFor+`"`)) {
				t.Fatalf("placed %d events: %s, want an order for %s", len(s), s[0].Data, tc.placedFor)
			}
		})
	}
	if r := e.post("/orders", orderBody(t, "c-2"), "Authorization", e.customer("c-1")); r.json(t)["detail"] != "customers place orders for themselves: leave customerId out or send your own" {
		t.Fatalf("the 403 explains %q", r.json(t)["detail"])
	}
}
