package sandbox

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
)

// FuzzDecodeRequests feeds arbitrary bodies to every request decoder (a
// charge, a refund, the controls): each either decodes to a request within
// the limits or answers with a 400 or 422 problem that says what is wrong,
// never panics, and whatever it accepts survives a round trip unchanged.
func FuzzDecodeRequests(f *testing.F) {
	seeds := []string{
		`{"amount":1999,"currency":"EUR","reference":"order-1"}`,
		`{"charge":"ch_123"}`,
		`{"latencyMs":10,"errorRate":0.5,"declineRate":0.1,"outage":true,"rateLimitPerSecond":5,"timeoutAfterCharge":false,"failNext":3}`,
		`{}`, `[]`, `null`, `""`, `{"amount":"1"}`, `{"amount":1e99}`, `{"amount":-1,"currency":"EUR","reference":"r"}`,
		`{"amount":1,"currency":"eur","reference":"r"}`, `{"amount":1,"currency":"EUR","reference":"\u0000"}`,
		`{"amount":1,"currency":"EUR","reference":"r"} {}`, `{"charge":"ch_1","charge":"ch_2"}`, `{"errorRate":NaN}`,
		`{"errorRate":1.0000001}`, `{"latencyMs":60001}`, "\xff", ` {"charge":"x"} `, `{"charge":"\ud800"}`,
	}
	for _, s := range seeds {
		for kind := range 3 {
			f.Add(uint8(kind), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		decoders := []func([]byte) (any, *apiError){
			func(b []byte) (any, *apiError) { return decodeCharge(b) },
			func(b []byte) (any, *apiError) { return decodeRefund(b) },
			func(b []byte) (any, *apiError) { return decodeControls(b) },
		}
		decode := decoders[int(kind)%len(decoders)]
		got, err := decode(body)
		if err != nil {
			if err.status != http.StatusBadRequest && err.status != http.StatusUnprocessableEntity || err.code == "" || err.detail == "" {
				t.Fatalf("decode %q: %+v is not a problem that explains itself", body, err)
			}
			return
		}
		switch v := got.(type) {
		case chargeRequest:
			if v.Amount <= 0 || v.Amount > MaxAmount || len(v.Currency) != 3 || !validText(v.Reference, MaxReferenceLength) {
				t.Fatalf("accepted an invalid charge %+v from %q", v, body)
			}
		case Controls:
			if v.validate() != nil {
				t.Fatalf("accepted invalid controls %+v from %q", v, body)
			}
		}
		b, merr := json.Marshal(got)
		if merr != nil {
			t.Fatalf("re-encode %#v: %v", got, merr)
		}
		again, err := decode(b)
		if err != nil {
			t.Fatalf("an accepted request does not decode again: %s: %v", b, err)
		}
		if !reflect.DeepEqual(got, again) {
			t.Fatalf("round trip changed the request: %#v != %#v", got, again)
		}
	})
}
