// Package notifications is the customer-notification context: what a
// customer is told when something happens to their order. It reacts to
// order events on its own, with no orchestrator (choreography): an order
// confirmed, cancelled (with the reason), shipped or delivered gets its
// customer a notification. Describe words them; the customer_notifications
// read model (package projections/notificationview) records them, once per
// order event, on the projection runtime, which gives it one owner across
// processes, a checkpoint committed with its rows and dead letters for the
// events it cannot handle. Sending them on (mail, push) reads from there.
package notifications

import (
	"fmt"

	"github.com/orderflow/orderflow/write/order"
)

// Describe words what happened to order orderID for its customer: the
// kind of notification (confirmed, cancelled, shipped or delivered) and
// its message, for an order.Confirmed, order.Cancelled, order.Shipped or
// order.Delivered event e. Any other e causes no notification: Describe
// returns two empty strings.
func Describe(orderID string, e any) (kind, message string) {
	switch e := e.(type) {
	case order.Confirmed:
		return "confirmed", fmt.Sprintf("Your order %s is confirmed.", orderID)
	case order.Cancelled:
		return "cancelled", fmt.Sprintf("Your order %s was cancelled: %s", orderID, e.Reason)
	case order.Shipped:
		if e.TrackingNumber != "" {
			return "shipped", fmt.Sprintf("Your order %s is on its way (tracking number %s).", orderID, e.TrackingNumber)
		}
		return "shipped", fmt.Sprintf("Your order %s is on its way.", orderID)
	case order.Delivered:
		return "delivered", fmt.Sprintf("Your order %s was delivered.", orderID)
	}
	return "", ""
}
