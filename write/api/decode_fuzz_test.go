package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"
)

// FuzzDecodeRequests feeds arbitrary bodies to every request decoder: each
// either decodes or answers with a 400 the API knows, never panics, and
// whatever it accepts survives a round trip unchanged.
func FuzzDecodeRequests(f *testing.F) {
	seeds := []string{
		`{"customerId":"c-1","lines":[{"sku":"SKU-1","quantity":2}],"shippingAddress":{"name":"A. Buyer","line1":"1 Main St","city":"Berlin","postalCode":"10115","country":"DE"}}`,
		`{"sku":"SKU-1","name":"Widget","price":{"amount":1999,"currency":"EUR"}}`,
		`{"channel":"web","lines":[{"sku":"SKU-1","quantity":1}],"shippingAddress":{"name":"A","line1":"B","city":"C","postalCode":"1","country":"DE"}}`,
		`{"channel":null}`, `{"channel":""}`, `{"channel":7}`,
		`{"quantity":10}`, `{"reason":"x"}`, `{"trackingNumber":"T"}`, `{}`,
		`{"quantity":"10"}`, `{"quantity":1e99}`, `[]`, `null`, `{"a":1}`, `{} {}`, `{"lines":[null]}`,
	}
	for _, s := range seeds {
		for kind := range 5 {
			f.Add(uint8(kind), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		targets := []func() any{
			func() any { return new(placeOrderRequest) },
			func() any { return new(registerProductRequest) },
			func() any { return new(addStockRequest) },
			func() any { return new(cancelOrderRequest) },
			func() any { return new(dispatchedRequest) },
		}
		dst := targets[int(kind)%len(targets)]()
		err := decodeStrict(body, dst)
		if err != nil {
			var api *apiError
			if !errors.As(err, &api) || api.status != http.StatusBadRequest || api.code == "" || api.detail == "" {
				t.Fatalf("decode %q: %v is not a 400 the API explains", body, err)
			}
			return
		}
		again := targets[int(kind)%len(targets)]()
		b, err := json.Marshal(dst)
		if err != nil {
			t.Fatalf("re-encode %#v: %v", dst, err)
		}
		if err := decodeStrict(b, again); err != nil {
			t.Fatalf("a decoded request does not decode again: %s: %v", b, err)
		}
		if !reflect.DeepEqual(dst, again) {
			t.Fatalf("round trip changed the request: %#v != %#v", dst, again)
		}
	})
}
