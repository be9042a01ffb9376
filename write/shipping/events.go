package shipping

import "time"

// Stored event type names. They are written to the event store with every
// event: never change one. Every event also carries the order id of its
// stream, so that a reader of the global log needs nothing else.
const (
	TypeShipmentScheduled  = "shipping.shipment_scheduled"
	TypeShipmentRejected   = "shipping.shipment_rejected"
	TypeShipmentCancelled  = "shipping.shipment_cancelled"
	TypeShipmentDispatched = "shipping.shipment_dispatched"
	TypeShipmentDelivered  = "shipping.shipment_delivered"
)

// Current schema version of each payload. Decide writes these; Decode
// accepts 1 up to these and upcasts older ones. Bump one only together with
// an upcast spec in codec.go.
const (
	shipmentScheduledV  = 1
	shipmentRejectedV   = 1
	shipmentCancelledV  = 1
	shipmentDispatchedV = 1
	shipmentDeliveredV  = 1
)

// EventTypes returns the stored type names of every shipping event, in a
// new slice.
func EventTypes() []string {
	return []string{
		TypeShipmentScheduled, TypeShipmentRejected, TypeShipmentCancelled,
		TypeShipmentDispatched, TypeShipmentDelivered,
	}
}

// Address is where a shipment goes. Line2 and PostalCode may be empty (not
// every country has postal codes); Country is an ISO 3166-1 alpha-2 code
// such as "DE".
type Address struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
}

// ShipmentScheduled records that a carrier will take an order to Address.
// It is the first event of a shipment stream, unless ShipmentRejected is.
type ShipmentScheduled struct {
	V           int       `json:"v"`
	OrderID     string    `json:"orderId"`
	Address     Address   `json:"address"`
	Carrier     string    `json:"carrier"`
	ScheduledAt time.Time `json:"scheduledAt"`
}

// EventType returns TypeShipmentScheduled.
func (ShipmentScheduled) EventType() string { return TypeShipmentScheduled }

// ShipmentRejected records that an order cannot be shipped as asked, and
// why (the carrier does not serve the address's country). The order saga
// compensates on it. It carries the address and carrier it was asked for.
type ShipmentRejected struct {
	V          int       `json:"v"`
	OrderID    string    `json:"orderId"`
	Address    Address   `json:"address"`
	Carrier    string    `json:"carrier"`
	Reason     string    `json:"reason"`
	RejectedAt time.Time `json:"rejectedAt"`
}

// EventType returns TypeShipmentRejected.
func (ShipmentRejected) EventType() string { return TypeShipmentRejected }

// ShipmentCancelled records that a scheduled shipment will not leave, and
// why.
type ShipmentCancelled struct {
	V           int       `json:"v"`
	OrderID     string    `json:"orderId"`
	Reason      string    `json:"reason"`
	CancelledAt time.Time `json:"cancelledAt"`
}

// EventType returns TypeShipmentCancelled.
func (ShipmentCancelled) EventType() string { return TypeShipmentCancelled }

// ShipmentDispatched records that the carrier took the shipment, under
// TrackingNumber.
type ShipmentDispatched struct {
	V              int       `json:"v"`
	OrderID        string    `json:"orderId"`
	TrackingNumber string    `json:"trackingNumber"`
	DispatchedAt   time.Time `json:"dispatchedAt"`
}

// EventType returns TypeShipmentDispatched.
func (ShipmentDispatched) EventType() string { return TypeShipmentDispatched }

// ShipmentDelivered records that the shipment reached its address.
type ShipmentDelivered struct {
	V           int       `json:"v"`
	OrderID     string    `json:"orderId"`
	DeliveredAt time.Time `json:"deliveredAt"`
}

// EventType returns TypeShipmentDelivered.
func (ShipmentDelivered) EventType() string { return TypeShipmentDelivered }
