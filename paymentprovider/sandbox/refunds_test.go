package sandbox_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/paymentprovider/sandbox"
)

func TestRefunds(t *testing.T) {
	sb, base := start(t, sandbox.Config{})
	ch := call(t, http.MethodPost, base+"/v1/charges", "c-1", charge(1999, "order-1")).str("id")
	declined := call(t, http.MethodPost, base+"/v1/charges", "c-2", charge(1002, "order-2")).str("charge")
	other := call(t, http.MethodPost, base+"/v1/charges", "c-3", charge(500, "order-3")).str("id")

	first := call(t, http.MethodPost, base+"/v1/refunds", "r-1", map[string]any{"charge": ch})
	if first.status != http.StatusCreated || !strings.HasPrefix(first.str("id"), "re_") || first.str("charge") != ch ||
		first.body["amount"] != 1999.0 || first.str("status") != sandbox.RefundSucceeded {
		t.Fatalf("refund: %d %v", first.status, first.body)
	}
	again := call(t, http.MethodPost, base+"/v1/refunds", "r-1", map[string]any{"charge": ch})
	if again.status != http.StatusCreated || again.str("id") != first.str("id") || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replayed refund: %d %v, first %v", again.status, again.body, first.body)
	}
	tests := []struct {
		name, key, charge string
		status            int
		code              string
	}{
		{"refunded under another key", "r-2", ch, http.StatusConflict, sandbox.CodeAlreadyRefunded},
		{"a declined charge", "r-3", declined, http.StatusConflict, sandbox.CodeNotRefundable},
		{"an unknown charge", "r-4", "ch_nope", http.StatusNotFound, sandbox.CodeChargeNotFound},
		{"a key used for another charge", "r-1", other, http.StatusUnprocessableEntity, sandbox.CodeIdempotencyKeyReused},
		{"no key", "", other, http.StatusBadRequest, sandbox.CodeIdempotencyKeyMissing},
		{"no charge", "r-5", "", http.StatusUnprocessableEntity, sandbox.CodeInvalidField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantProblem(t, call(t, http.MethodPost, base+"/v1/refunds", tt.key, map[string]any{"charge": tt.charge}), tt.status, tt.code)
		})
	}
	if st := sb.Stats(); st.Refunds != 1 || st.Replays != 1 {
		t.Fatalf("stats %+v", st)
	}
}
