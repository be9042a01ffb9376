package order

import (
	"time"

	"github.com/orderflow/orderflow/write/money"
)

// Stored event type names. They are part of the stored data: never rename
// one, add a new type instead.
const (
	TypePlaced    = "order.placed"
	TypeConfirmed = "order.confirmed"
	TypePaid      = "order.paid"
	TypeShipped   = "order.shipped"
	TypeDelivered = "order.delivered"
	TypeCancelled = "order.cancelled"
)

// Current schema versions of the event payloads. Decide writes events with
// these versions in V; Decode accepts them, upcasts older ones and rejects
// newer ones. Bump one when its payload changes shape, and teach Decode to
// upcast the old shape.
const (
	PlacedVersion    = 2
	ConfirmedVersion = 1
	PaidVersion      = 1
	ShippedVersion   = 1
	DeliveredVersion = 1
	CancelledVersion = 1
)

// Line is one line of an order: a product, how many, and the catalog price
// of one unit when the order was placed.
type Line struct {
	SKU       string      `json:"sku"`
	Quantity  int         `json:"quantity"`
	UnitPrice money.Money `json:"unitPrice"`
}

// Address is where an order is shipped. Line2 is optional; Country is an
// ISO 3166-1 alpha-2 code ("DE").
type Address struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
}

// Placed records that a customer placed an order, with the prices and the
// total fixed at that moment, and the sales channel it came through. It
// is the first event of every order stream.
//
// Version 2 added Channel; a version 1 payload reads as ChannelOfV1.
type Placed struct {
	V               int         `json:"v"`
	OrderID         string      `json:"orderId"`
	CustomerID      string      `json:"customerId"`
	Lines           []Line      `json:"lines"`
	Total           money.Money `json:"total"`
	ShippingAddress Address     `json:"shippingAddress"`
	Channel         Channel     `json:"channel"`
	PlacedAt        time.Time   `json:"placedAt"`
}

// Confirmed records that a pending order was confirmed.
type Confirmed struct {
	V           int       `json:"v"`
	ConfirmedAt time.Time `json:"confirmedAt"`
}

// Paid records that a confirmed order was paid in full. ChargeID is the
// payment provider's charge, when known.
type Paid struct {
	V        int         `json:"v"`
	ChargeID string      `json:"chargeId,omitempty"`
	Amount   money.Money `json:"amount"`
	PaidAt   time.Time   `json:"paidAt"`
}

// Shipped records that a paid order left the warehouse. TrackingNumber is
// the carrier's, when known.
type Shipped struct {
	V              int       `json:"v"`
	TrackingNumber string    `json:"trackingNumber,omitempty"`
	ShippedAt      time.Time `json:"shippedAt"`
}

// Delivered records that a shipped order reached the customer.
type Delivered struct {
	V           int       `json:"v"`
	DeliveredAt time.Time `json:"deliveredAt"`
}

// Cancelled records that an order was cancelled, why, and whether the
// customer (true) or the system (false) cancelled it.
type Cancelled struct {
	V           int       `json:"v"`
	Reason      string    `json:"reason"`
	ByCustomer  bool      `json:"byCustomer"`
	CancelledAt time.Time `json:"cancelledAt"`
}

// EventType returns TypePlaced.
func (Placed) EventType() string { return TypePlaced }

// EventType returns TypeConfirmed.
func (Confirmed) EventType() string { return TypeConfirmed }

// EventType returns TypePaid.
func (Paid) EventType() string { return TypePaid }

// EventType returns TypeShipped.
func (Shipped) EventType() string { return TypeShipped }

// EventType returns TypeDelivered.
func (Delivered) EventType() string { return TypeDelivered }

// EventType returns TypeCancelled.
func (Cancelled) EventType() string { return TypeCancelled }
