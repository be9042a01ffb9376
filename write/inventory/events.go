package inventory

import (
	"time"

	"github.com/orderflow/orderflow/write/money"
)

// Stored event type names. They are written to the event store with every
// event: never change one. Every event also carries the SKU of its stream,
// so that a reader of the global log needs nothing else.
const (
	TypeProductRegistered        = "inventory.product_registered"
	TypePriceChanged             = "inventory.price_changed"
	TypeStockAdded               = "inventory.stock_added"
	TypeStockReserved            = "inventory.stock_reserved"
	TypeStockReservationRejected = "inventory.stock_reservation_rejected"
	TypeReservationReleased      = "inventory.reservation_released"
	TypeStockShipped             = "inventory.stock_shipped"
)

// Current schema version of each payload. Decide writes these; Decode
// accepts 1 up to these and upcasts older ones. Bump one only together with
// an upcast spec in codec.go.
const (
	productRegisteredV        = 1
	priceChangedV             = 1
	stockAddedV               = 1
	stockReservedV            = 1
	stockReservationRejectedV = 1
	reservationReleasedV      = 1
	stockShippedV             = 1
)

// EventTypes returns the stored type names of every inventory event, in a
// new slice.
func EventTypes() []string {
	return []string{
		TypeProductRegistered, TypePriceChanged, TypeStockAdded, TypeStockReserved,
		TypeStockReservationRejected, TypeReservationReleased, TypeStockShipped,
	}
}

// ProductRegistered records that a SKU joined the catalog with its name and
// unit price. It is the first event of every inventory stream.
type ProductRegistered struct {
	V            int         `json:"v"`
	SKU          string      `json:"sku"`
	Name         string      `json:"name"`
	Price        money.Money `json:"price"`
	RegisteredAt time.Time   `json:"registeredAt"`
}

// EventType returns TypeProductRegistered.
func (ProductRegistered) EventType() string { return TypeProductRegistered }

// PriceChanged records a new unit price, in the product's currency. Orders
// placed earlier keep the price they were placed at.
type PriceChanged struct {
	V         int         `json:"v"`
	SKU       string      `json:"sku"`
	Price     money.Money `json:"price"`
	ChangedAt time.Time   `json:"changedAt"`
}

// EventType returns TypePriceChanged.
func (PriceChanged) EventType() string { return TypePriceChanged }

// StockAdded records that Quantity units arrived on hand.
type StockAdded struct {
	V        int       `json:"v"`
	SKU      string    `json:"sku"`
	Quantity int64     `json:"quantity"`
	AddedAt  time.Time `json:"addedAt"`
}

// EventType returns TypeStockAdded.
func (StockAdded) EventType() string { return TypeStockAdded }

// StockReserved records that Quantity units are held for an order until
// they are shipped or released.
type StockReserved struct {
	V          int       `json:"v"`
	SKU        string    `json:"sku"`
	OrderID    string    `json:"orderId"`
	Quantity   int64     `json:"quantity"`
	ReservedAt time.Time `json:"reservedAt"`
}

// EventType returns TypeStockReserved.
func (StockReserved) EventType() string { return TypeStockReserved }

// StockReservationRejected records that an order asked for more than was
// available. Nothing is held; the order may ask again later.
type StockReservationRejected struct {
	V          int       `json:"v"`
	SKU        string    `json:"sku"`
	OrderID    string    `json:"orderId"`
	Requested  int64     `json:"requested"`
	Available  int64     `json:"available"`
	RejectedAt time.Time `json:"rejectedAt"`
}

// EventType returns TypeStockReservationRejected.
func (StockReservationRejected) EventType() string { return TypeStockReservationRejected }

// ReservationReleased records that an order's reservation of Quantity units
// was given back to the available stock, and why.
type ReservationReleased struct {
	V          int       `json:"v"`
	SKU        string    `json:"sku"`
	OrderID    string    `json:"orderId"`
	Quantity   int64     `json:"quantity"`
	Reason     string    `json:"reason"`
	ReleasedAt time.Time `json:"releasedAt"`
}

// EventType returns TypeReservationReleased.
func (ReservationReleased) EventType() string { return TypeReservationReleased }

// StockShipped records that an order's reserved Quantity left the
// warehouse: it is no longer reserved, nor on hand.
type StockShipped struct {
	V         int       `json:"v"`
	SKU       string    `json:"sku"`
	OrderID   string    `json:"orderId"`
	Quantity  int64     `json:"quantity"`
	ShippedAt time.Time `json:"shippedAt"`
}

// EventType returns TypeStockShipped.
func (StockShipped) EventType() string { return TypeStockShipped }
