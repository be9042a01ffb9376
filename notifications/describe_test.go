package notifications_test

import (
	"testing"

	"github.com/orderflow/orderflow/notifications"
	"github.com/orderflow/orderflow/write/order"
)

func TestDescribe(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		event         any
		kind, message string
	}{
		{"confirmed", order.Confirmed{}, "confirmed", "Your order o-1 is confirmed."},
		{"cancelled", order.Cancelled{Reason: "found it cheaper"}, "cancelled", "Your order o-1 was cancelled: found it cheaper"},
		{"shipped with a tracking number", order.Shipped{TrackingNumber: "TRK-9"}, "shipped", "Your order o-1 is on its way (tracking number TRK-9)."},
		{"shipped without one", order.Shipped{}, "shipped", "Your order o-1 is on its way."},
		{"delivered", order.Delivered{}, "delivered", "Your order o-1 was delivered."},
		{"placed", order.Placed{}, "", ""},
		{"paid", order.Paid{}, "", ""},
		{"not an order event", "order.confirmed", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			kind, message := notifications.Describe("o-1", c.event)
			if kind != c.kind || message != c.message {
				t.Fatalf("Describe = %q, %q; want %q, %q", kind, message, c.kind, c.message)
			}
		})
	}
}
