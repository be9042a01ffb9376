package contracts_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/orderflow/orderflow/contracts"
)

// openAPIMutation is a change to the current OpenAPI document, as a
// function of its parsed JSON.
type openAPIMutation struct {
	name   string
	mutate func(t *testing.T, doc map[string]any)
	// want are the changes the gate must report, as Change.String gives
	// them; none for a change that must pass.
	want []string
}

// TestOpenAPIMutations applies each kind of breaking change to the
// current document and requires the gate to name it, and each kind of
// additive change and requires it to pass.
func TestOpenAPIMutations(t *testing.T) {
	cases := []openAPIMutation{
		{"route removed", func(t *testing.T, d map[string]any) {
			delete(obj(t, d, "paths"), "/orders/{id}/cancel")
		}, []string{"openapi api-path-removed-without-deprecation: POST /orders/{id}/cancel: API path removed without deprecation"}},
		{"route renamed", func(t *testing.T, d map[string]any) {
			paths := obj(t, d, "paths")
			paths["/shipments/{orderId}/delivery"] = paths["/shipments/{orderId}/delivered"]
			delete(paths, "/shipments/{orderId}/delivered")
		}, []string{"openapi api-path-removed-without-deprecation: POST /shipments/{orderId}/delivered: API path removed without deprecation"}},
		{"request property removed", func(t *testing.T, d map[string]any) {
			delete(obj(t, d, "components", "schemas", "Address", "properties"), "line2")
		}, []string{
			"openapi request-property-removed: POST /orders: removed the request property `shippingAddress/line2`",
		}},
		{"request property renamed", func(t *testing.T, d map[string]any) {
			props := obj(t, d, "components", "schemas", "CancelOrderRequest", "properties")
			props["why"] = props["reason"]
			delete(props, "reason")
			obj(t, d, "components", "schemas", "CancelOrderRequest")["required"] = []any{"why"}
		}, []string{
			"openapi new-required-request-property: POST /orders/{id}/cancel: added the new required request property `why`",
			"openapi request-property-removed: POST /orders/{id}/cancel: removed the request property `reason`",
		}},
		{"request property made required", func(t *testing.T, d map[string]any) {
			s := obj(t, d, "components", "schemas", "PlaceOrderRequest")
			s["required"] = append(s["required"].([]any), "customerId")
		}, []string{
			"openapi request-property-became-required: POST /orders: the request property `customerId` became required",
		}},
		{"required request property added", func(t *testing.T, d map[string]any) {
			s := obj(t, d, "components", "schemas", "CancelOrderRequest")
			obj(t, s, "properties")["note"] = map[string]any{"type": "string"}
			s["required"] = append(s["required"].([]any), "note")
		}, []string{
			"openapi new-required-request-property: POST /orders/{id}/cancel: added the new required request property `note`",
		}},
		{"request type narrowed", func(t *testing.T, d map[string]any) {
			obj(t, d, "components", "schemas", "OrderLine", "properties", "quantity")["maximum"] = 100
		}, []string{
			"openapi request-property-max-decreased: POST /orders: the `lines/items/quantity` request property's max was decreased to `100.00`",
		}},
		{"request string narrowed", func(t *testing.T, d map[string]any) {
			obj(t, d, "components", "schemas", "CancelOrderRequest", "properties", "reason")["maxLength"] = 100
		}, []string{
			"openapi request-property-max-length-decreased: POST /orders/{id}/cancel: the `reason` request property's maxLength was decreased to `100`",
		}},
		{"request pattern narrowed", func(t *testing.T, d map[string]any) {
			obj(t, d, "components", "schemas", "Sku")["pattern"] = "^[A-Z0-9-]{1,64}$"
		}, []string{
			"openapi request-property-pattern-changed: POST /orders: changed the pattern of the request property `lines/items/sku` from `^[A-Za-z0-9._-]{1,64}$` to `^[A-Z0-9-]{1,64}$`",
			"openapi request-property-pattern-changed: POST /products: changed the pattern of the request property `sku` from `^[A-Za-z0-9._-]{1,64}$` to `^[A-Z0-9-]{1,64}$`",
			"openapi response-property-pattern-changed: POST /products: the `sku` response's property pattern was changed from `^[A-Za-z0-9._-]{1,64}$` to `^[A-Z0-9-]{1,64}$` for the status `202`",
			"openapi request-parameter-pattern-changed: POST /products/{sku}/stock: changed the pattern of the `path` request parameter `sku` from `^[A-Za-z0-9._-]{1,64}$` to `^[A-Z0-9-]{1,64}$`",
			"openapi response-property-pattern-changed: POST /products/{sku}/stock: the `sku` response's property pattern was changed from `^[A-Za-z0-9._-]{1,64}$` to `^[A-Z0-9-]{1,64}$` for the status `202`",
		}},
		{"request type changed", func(t *testing.T, d map[string]any) {
			obj(t, d, "components", "schemas", "OrderLine", "properties", "quantity")["type"] = "string"
		}, []string{
			"openapi request-property-type-changed: POST /orders: the `lines/items/quantity` request property `type` changed from `integer` to `string`",
		}},
		{"optional header made required", func(t *testing.T, d map[string]any) {
			obj(t, d, "components", "parameters", "IdempotencyKey")["required"] = true
		}, []string{
			"openapi request-parameter-became-required: POST /orders: the `header` request parameter `Idempotency-Key` became required",
			"openapi request-parameter-became-required: POST /orders/{id}/cancel: the `header` request parameter `Idempotency-Key` became required",
			"openapi request-parameter-became-required: POST /products: the `header` request parameter `Idempotency-Key` became required",
			"openapi request-parameter-became-required: POST /products/{sku}/stock: the `header` request parameter `Idempotency-Key` became required",
			"openapi request-parameter-became-required: POST /shipments/{orderId}/delivered: the `header` request parameter `Idempotency-Key` became required",
			"openapi request-parameter-became-required: POST /shipments/{orderId}/dispatched: the `header` request parameter `Idempotency-Key` became required",
		}},
		{"response property removed", func(t *testing.T, d map[string]any) {
			s := obj(t, d, "components", "schemas", "OrderAccepted")
			delete(obj(t, s, "properties"), "position")
			s["required"] = slices.DeleteFunc(s["required"].([]any), func(v any) bool { return v == "position" })
		}, []string{
			"openapi response-required-property-removed: POST /orders: removed the required property `position` from the response with the `202` status",
			"openapi response-required-property-removed: POST /orders/{id}/cancel: removed the required property `position` from the response with the `202` status",
		}},
		{"response property made optional", func(t *testing.T, d map[string]any) {
			s := obj(t, d, "components", "schemas", "OrderAccepted")
			s["required"] = slices.DeleteFunc(s["required"].([]any), func(v any) bool { return v == "commandId" })
		}, []string{
			"openapi response-property-became-optional: POST /orders: the response property `commandId` became optional for the status `202`",
			"openapi response-property-became-optional: POST /orders/{id}/cancel: the response property `commandId` became optional for the status `202`",
		}},
		{"response enum value added", func(t *testing.T, d map[string]any) {
			p := obj(t, d, "components", "schemas", "OrderAccepted", "properties", "status")
			p["enum"] = append(p["enum"].([]any), "ON_HOLD")
		}, []string{
			"openapi response-property-enum-value-added: POST /orders: added the new `ON_HOLD` enum value to the `status` response property for the response status `202`",
			"openapi response-property-enum-value-added: POST /orders/{id}/cancel: added the new `ON_HOLD` enum value to the `status` response property for the response status `202`",
		}},
		{"response type changed", func(t *testing.T, d map[string]any) {
			obj(t, d, "components", "schemas", "Money", "properties", "amount")["type"] = "string"
		}, []string{
			"openapi response-property-type-changed: POST /orders: the `total/amount` response's property `type` changed from `integer` to `string` for status `202`",
			"openapi response-property-type-changed: POST /orders/{id}/cancel: the `total/amount` response's property `type` changed from `integer` to `string` for status `202`",
		}},
		{"success status changed", func(t *testing.T, d map[string]any) {
			r := obj(t, d, "paths", "/orders", "post", "responses")
			r["201"] = r["202"]
			delete(r, "202")
		}, []string{
			"openapi response-success-status-removed: POST /orders: removed the success response with the status `202`",
		}},

		{"route added", func(t *testing.T, d map[string]any) {
			paths := obj(t, d, "paths")
			paths["/orders/{id}/hold"] = paths["/orders/{id}/cancel"]
		}, nil},
		{"optional request property added", func(t *testing.T, d map[string]any) {
			obj(t, d, "components", "schemas", "PlaceOrderRequest", "properties")["giftMessage"] = map[string]any{"type": "string", "maxLength": 50}
		}, nil},
		{"response property added", func(t *testing.T, d map[string]any) {
			obj(t, d, "components", "schemas", "OrderAccepted", "properties")["giftMessage"] = map[string]any{"type": "string"}
		}, nil},
		{"request widened", func(t *testing.T, d map[string]any) {
			obj(t, d, "components", "schemas", "CancelOrderRequest", "properties", "reason")["maxLength"] = 1000
			obj(t, d, "components", "schemas", "OrderLine", "properties", "quantity")["maximum"] = 5000
		}, nil},
		{"required request property made optional", func(t *testing.T, d map[string]any) {
			obj(t, d, "components", "schemas", "CancelOrderRequest")["required"] = []any{}
		}, nil},
		{"error code added", func(t *testing.T, d map[string]any) {
			code := obj(t, d, "paths", "/orders/{id}/cancel", "post", "responses", "409", "content", "application/problem+json", "schema", "properties", "code")
			code["enum"] = append(code["enum"].([]any), "order_on_hold")
		}, nil},
		{"descriptions changed", func(t *testing.T, d map[string]any) {
			obj(t, d, "paths", "/orders", "post")["description"] = "Places an order."
		}, nil},
	}
	current := contracts.Current().OpenAPI
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(current, &doc); err != nil {
				t.Fatal(err)
			}
			tc.mutate(t, doc)
			revision, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			changes, err := contracts.OpenAPIBreaking(current, revision)
			if err != nil {
				t.Fatal(err)
			}
			requireChanges(t, changes, tc.want)
		})
	}
}

// obj returns the object at path below v, failing the test when there
// is none.
func obj(t *testing.T, v map[string]any, path ...string) map[string]any {
	t.Helper()
	for _, p := range path {
		next, ok := v[p].(map[string]any)
		if !ok {
			t.Fatalf("no object %q in %v", p, path)
		}
		v = next
	}
	return v
}

// requireChanges fails the test unless changes, as strings, are want.
func requireChanges(t *testing.T, changes []contracts.Change, want []string) {
	t.Helper()
	got := make([]string, 0, len(changes))
	for _, c := range changes {
		got = append(got, c.String())
	}
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("changes reported:\n%s\nwant:\n%s", lines(got), lines(want))
	}
}

func lines(s []string) string {
	out := ""
	for _, l := range s {
		out += "\t" + l + "\n"
	}
	if out == "" {
		return "\t(none)\n"
	}
	return out
}

// TestOpenAPIDeprecatedRouteRemoval: a deprecated route may be removed
// once its x-sunset date has passed, and not before; deprecating a route
// breaks nothing.
func TestOpenAPIDeprecatedRouteRemoval(t *testing.T) {
	cases := []struct {
		name           string
		sunset         string
		remove, retire bool
		want           []string
	}{
		{"removed before its sunset", "2999-01-01", true, false, []string{
			"openapi api-path-removed-before-sunset: GET /openapi: API path removed before the sunset date `2999-01-01`",
		}},
		{"removed after its sunset", "2020-01-01", true, false, nil},
		{"another route deprecated", "2999-01-01", false, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var base map[string]any
			if err := json.Unmarshal(contracts.Current().OpenAPI, &base); err != nil {
				t.Fatal(err)
			}
			obj(t, base, "paths", "/openapi", "get")["x-sunset"] = tc.sunset
			baseDoc, err := json.Marshal(base)
			if err != nil {
				t.Fatal(err)
			}
			if tc.remove {
				delete(obj(t, base, "paths"), "/openapi")
			}
			if tc.retire {
				op := obj(t, base, "paths", "/shipments/{orderId}/delivered", "post")
				op["deprecated"] = true
				op["x-sunset"] = "2999-01-01"
			}
			revision, err := json.Marshal(base)
			if err != nil {
				t.Fatal(err)
			}
			changes, err := contracts.OpenAPIBreaking(baseDoc, revision)
			if err != nil {
				t.Fatal(err)
			}
			requireChanges(t, changes, tc.want)
		})
	}
}
