package api_test

import (
	"testing"

	"github.com/orderflow/orderflow/platform/requestid"
	"github.com/orderflow/orderflow/write/order"
)

func TestRequestIDAndPrincipalEndUpInEventMetadata(t *testing.T) {
	e := newEnv(t, requestid.Middleware)
	e.catalog()
	customer := e.customer("c-1")

	tests := []struct {
		name          string
		requestID     string
		authorization string
		status        int
		wantUser      string
	}{
		{"supplied id, customer", "corr-77", customer, 202, "c-1"},
		{"supplied id, admin", "corr-79", e.admin, 202, testAdmin},
		{"supplied id, anonymous", "corr-78", "", 401, ""},
		{"malformed id", "not a sane id", customer, 202, "c-1"},
		{"no id, anonymous", "", "", 401, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.eventCount()
			r := e.mustPost(tc.status, "/orders", validOrder, "X-Request-ID", tc.requestID, "Authorization", tc.authorization)
			id := r.header.Get("X-Request-ID")
			if requestid.Valid(tc.requestID) && id != tc.requestID {
				t.Fatalf("response X-Request-ID %q, want the supplied %q", id, tc.requestID)
			}
			if !requestid.Valid(id) || id == tc.requestID && !requestid.Valid(tc.requestID) {
				t.Fatalf("response X-Request-ID %q for a supplied %q", id, tc.requestID)
			}
			if tc.status != 202 {
				if n := e.eventCount() - before; n != 0 {
					t.Fatalf("a refused request wrote %d events", n)
				}
				return
			}
			events := e.stream(order.StreamID(r.json(t)["orderId"].(string)))
			if len(events) != 1 {
				t.Fatalf("%d events", len(events))
			}
			md := events[0].Metadata
			if md.CorrelationID != id {
				t.Errorf("correlation id %q, want the request id %q", md.CorrelationID, id)
			}
			if md.UserID != tc.wantUser {
				t.Errorf("user id %q, want %q", md.UserID, tc.wantUser)
			}
		})
	}
}
