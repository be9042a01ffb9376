package main

import (
	"net/http"
	"testing"

	"github.com/orderflow/orderflow/platform/dbtest"
)

// TestOrderChannelRESTToGraphQL places orders through the command API,
// naming a sales channel or none, and reads them back over GraphQL (with
// the 202's position as X-Min-Position): each shows the channel it was
// placed through, API when it named none.
func TestOrderChannelRESTToGraphQL(t *testing.T) {
	s := startSystem(t, dbtest.New(t), nil)
	s.call(t, http.MethodPost, "/api/v1/products", s.admin, map[string]any{"sku": "SKU-CH", "name": "Channel test", "price": map[string]any{"amount": 1999, "currency": "EUR"}}, http.StatusAccepted, nil)
	s.call(t, http.MethodPost, "/api/v1/products/SKU-CH/stock", s.admin, map[string]any{"quantity": 10}, http.StatusAccepted, nil)
	for _, tc := range []struct {
		name    string
		channel any // nil: the request names none
		want    string
	}{
		{"none named", nil, "API"},
		{"mobile app", "mobile", "MOBILE"},
		{"store", "store", "STORE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{
				"lines":           []map[string]any{{"sku": "SKU-CH", "quantity": 1}},
				"shippingAddress": map[string]any{"name": "A. Buyer", "line1": "1 Main St", "city": "Berlin", "postalCode": "10115", "country": "DE"},
			}
			if tc.channel != nil {
				body["channel"] = tc.channel
			}
			var placed struct {
				OrderID, Channel, Position string
			}
			s.call(t, http.MethodPost, "/api/v1/orders", s.customer, body, http.StatusAccepted, &placed)
			var got struct {
				Order *struct{ ID, Channel string }
			}
			s.graphql(t, s.customer, `query($id: ID!) { order(id: $id) { id channel } }`, map[string]any{"id": placed.OrderID}, &got,
				"X-Min-Position", placed.Position)
			if got.Order == nil || got.Order.ID != placed.OrderID || got.Order.Channel != tc.want {
				t.Fatalf("order %s over GraphQL: %+v, want channel %s (the 202 said %q)", placed.OrderID, got.Order, tc.want, placed.Channel)
			}
		})
	}
}
