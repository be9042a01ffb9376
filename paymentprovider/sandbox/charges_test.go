package sandbox_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/paymentprovider/sandbox"
)

func TestChargeRequests(t *testing.T) {
	tests := []struct {
		name   string
		key    string
		body   any
		status int
		code   string // empty for success
	}{
		{name: "charged", key: "k", body: charge(1999, "order-1"), status: http.StatusCreated},
		{name: "no key", body: charge(1999, "order-1"), status: http.StatusBadRequest, code: sandbox.CodeIdempotencyKeyMissing},
		{name: "key with a space", key: "a b", body: charge(1999, "order-1"), status: http.StatusBadRequest, code: sandbox.CodeIdempotencyKeyInvalid},
		{name: "key too long", key: strings.Repeat("k", 256), body: charge(1999, "order-1"), status: http.StatusBadRequest, code: sandbox.CodeIdempotencyKeyInvalid},
		{name: "malformed", key: "k", body: `{"amount":`, status: http.StatusBadRequest, code: sandbox.CodeBodyInvalid},
		{name: "unknown field", key: "k", body: `{"amount":1,"currency":"EUR","reference":"r","tip":1}`, status: http.StatusBadRequest, code: sandbox.CodeBodyInvalid},
		{name: "two objects", key: "k", body: `{"amount":1,"currency":"EUR","reference":"r"} {}`, status: http.StatusBadRequest, code: sandbox.CodeBodyInvalid},
		{name: "array", key: "k", body: `[]`, status: http.StatusBadRequest, code: sandbox.CodeBodyInvalid},
		{name: "amount as a string", key: "k", body: `{"amount":"1","currency":"EUR","reference":"r"}`, status: http.StatusBadRequest, code: sandbox.CodeBodyInvalid},
		{name: "zero amount", key: "k", body: charge(0, "order-1"), status: http.StatusUnprocessableEntity, code: sandbox.CodeInvalidField},
		{name: "negative amount", key: "k", body: charge(-5, "order-1"), status: http.StatusUnprocessableEntity, code: sandbox.CodeInvalidField},
		{name: "lower-case currency", key: "k", body: map[string]any{"amount": 1, "currency": "eur", "reference": "r"}, status: http.StatusUnprocessableEntity, code: sandbox.CodeInvalidField},
		{name: "no reference", key: "k", body: charge(1999, ""), status: http.StatusUnprocessableEntity, code: sandbox.CodeInvalidField},
		{name: "declined by its amount", key: "k", body: charge(1002, "order-1"), status: http.StatusPaymentRequired, code: sandbox.CodeChargeDeclined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base := start(t, sandbox.Config{})
			r := call(t, http.MethodPost, base+"/v1/charges", tt.key, tt.body)
			if tt.code != "" {
				wantProblem(t, r, tt.status, tt.code)
				return
			}
			if r.status != tt.status || !strings.HasPrefix(r.str("id"), "ch_") || r.str("status") != sandbox.ChargeSucceeded ||
				r.body["amount"] != 1999.0 || r.str("currency") != "EUR" || r.str("reference") != "order-1" {
				t.Fatalf("got %d %v", r.status, r.body)
			}
		})
	}
}

func TestChargeWrongContentType(t *testing.T) {
	_, base := start(t, sandbox.Config{})
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/charges", strings.NewReader(`{}`))
	req.Header.Set("Idempotency-Key", "k")
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("status %d, want 415", resp.StatusCode)
	}
}

func TestDeclineCarriesItsCode(t *testing.T) {
	sb, base := start(t, sandbox.Config{})
	r := call(t, http.MethodPost, base+"/v1/charges", "k", charge(2502, "order-1"))
	wantProblem(t, r, http.StatusPaymentRequired, sandbox.CodeChargeDeclined)
	if r.str("declineCode") != sandbox.DeclineCardDeclined || !strings.HasPrefix(r.str("charge"), "ch_") {
		t.Fatalf("decline %v lacks its code or charge", r.body)
	}
	again := call(t, http.MethodPost, base+"/v1/charges", "k", charge(2502, "order-1"))
	wantProblem(t, again, http.StatusPaymentRequired, sandbox.CodeChargeDeclined)
	if again.str("charge") != r.str("charge") || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replayed decline %v %v differs from %v", again.header, again.body, r.body)
	}
	found := call(t, http.MethodGet, base+"/v1/charges?idempotency_key=k", "", nil)
	if found.status != http.StatusOK || found.str("status") != sandbox.ChargeDeclined || found.str("declineCode") != sandbox.DeclineCardDeclined {
		t.Fatalf("lookup of a declined charge: %d %v", found.status, found.body)
	}
	if st := sb.Stats(); st.ChargeAttempts != 2 || st.Declines != 1 || st.ChargesMade != 0 || st.Replays != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestChargeIdempotency(t *testing.T) {
	sb, base := start(t, sandbox.Config{})
	first := call(t, http.MethodPost, base+"/v1/charges", "key-1", charge(1999, "order-1"))
	second := call(t, http.MethodPost, base+"/v1/charges", "key-1", `{"reference":"order-1", "currency":"EUR", "amount":1999}`)
	if first.status != http.StatusCreated || second.status != http.StatusCreated || first.str("id") != second.str("id") {
		t.Fatalf("the same key and request charged differently: %v then %v", first.body, second.body)
	}
	if first.header.Get("Idempotent-Replayed") != "" || second.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("Idempotent-Replayed: %q then %q", first.header.Get("Idempotent-Replayed"), second.header.Get("Idempotent-Replayed"))
	}
	wantProblem(t, call(t, http.MethodPost, base+"/v1/charges", "key-1", charge(2999, "order-1")),
		http.StatusUnprocessableEntity, sandbox.CodeIdempotencyKeyReused)
	other := call(t, http.MethodPost, base+"/v1/charges", "key-2", charge(1999, "order-1"))
	if other.status != http.StatusCreated || other.str("id") == first.str("id") {
		t.Fatalf("another key: %d %v", other.status, other.body)
	}
	st := sb.Stats()
	if st.ChargeAttempts != 4 || st.ChargesMade != 2 || st.ChargesByReference["order-1"] != 2 || st.Replays != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestLookupCharge(t *testing.T) {
	sb, base := start(t, sandbox.Config{})
	made := call(t, http.MethodPost, base+"/v1/charges", "key-1", charge(1999, "order-1"))
	found := call(t, http.MethodGet, base+"/v1/charges?idempotency_key=key-1", "", nil)
	if found.status != http.StatusOK || found.str("id") != made.str("id") || found.str("status") != sandbox.ChargeSucceeded {
		t.Fatalf("lookup: %d %v, made %v", found.status, found.body, made.body)
	}
	wantProblem(t, call(t, http.MethodGet, base+"/v1/charges?idempotency_key=key-2", "", nil), http.StatusNotFound, sandbox.CodeChargeNotFound)
	wantProblem(t, call(t, http.MethodGet, base+"/v1/charges", "", nil), http.StatusBadRequest, sandbox.CodeIdempotencyKeyInvalid)
	wantProblem(t, call(t, http.MethodGet, base+"/v1/charges?idempotency_key=a&idempotency_key=b", "", nil), http.StatusBadRequest, sandbox.CodeIdempotencyKeyInvalid)
	if st := sb.Stats(); st.Lookups != 2 || st.ChargesMade != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestUnknownRoutes(t *testing.T) {
	_, base := start(t, sandbox.Config{})
	wantProblem(t, call(t, http.MethodGet, base+"/v1/nothing", "", nil), http.StatusNotFound, sandbox.CodeNotFound)
	wantProblem(t, call(t, http.MethodDelete, base+"/v1/charges", "", nil), http.StatusMethodNotAllowed, sandbox.CodeMethodNotAllowed)
}
