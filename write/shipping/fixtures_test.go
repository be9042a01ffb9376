package shipping_test

import (
	"time"

	"github.com/orderflow/orderflow/write/shipping"
)

var (
	t0  = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	now = time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)
)

// home is a valid address in Germany.
var home = shipping.Address{Name: "Ada Lovelace", Line1: "Hauptstraße 1", City: "Berlin", PostalCode: "10115", Country: "DE"}

// Events of the shipment of order "o1" used to build histories.
func scheduled() shipping.ShipmentScheduled {
	return shipping.ShipmentScheduled{V: 1, OrderID: "o1", Address: home, Carrier: "dhl", ScheduledAt: t0}
}
func rejectedShipment() shipping.ShipmentRejected {
	return shipping.ShipmentRejected{V: 1, OrderID: "o1", Address: home, Carrier: "usps", Reason: "usps does not deliver to DE", RejectedAt: t0}
}
func cancelled() shipping.ShipmentCancelled {
	return shipping.ShipmentCancelled{V: 1, OrderID: "o1", Reason: "payment failed", CancelledAt: t0}
}
func dispatched() shipping.ShipmentDispatched {
	return shipping.ShipmentDispatched{V: 1, OrderID: "o1", TrackingNumber: "JJD000390007", DispatchedAt: t0}
}
func delivered() shipping.ShipmentDelivered {
	return shipping.ShipmentDelivered{V: 1, OrderID: "o1", DeliveredAt: t0}
}
