package api_test

import (
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/requestid"
	"github.com/orderflow/orderflow/write/order"
)

func TestRequestIDAndPrincipalEndUpInEventMetadata(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef-test")
	v, err := auth.NewVerifier(auth.Config{Secret: secret, Issuer: "orderflow", Audience: "orderflow-api"})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, requestid.Middleware, v.Middleware)
	e.catalog()
	token, err := auth.Mint(secret, "orderflow", "orderflow-api", "c-1", auth.RoleCustomer, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name          string
		requestID     string
		authorization string
		wantUser      string
	}{
		{"supplied id, authenticated", "corr-77", "Bearer " + token, "c-1"},
		{"supplied id, anonymous", "corr-78", "", ""},
		{"malformed id", "not a sane id", "Bearer " + token, "c-1"},
		{"no id", "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.mustPost(202, "/orders", validOrder, "X-Request-ID", tc.requestID, "Authorization", tc.authorization)
			id := r.header.Get("X-Request-ID")
			if requestid.Valid(tc.requestID) && id != tc.requestID {
				t.Fatalf("response X-Request-ID %q, want the supplied %q", id, tc.requestID)
			}
			if !requestid.Valid(id) || id == tc.requestID && !requestid.Valid(tc.requestID) {
				t.Fatalf("response X-Request-ID %q for a supplied %q", id, tc.requestID)
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
