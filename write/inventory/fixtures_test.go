package inventory_test

import (
	"time"

	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
)

var (
	t0  = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	now = time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)
)

func eur(cents int64) money.Money { return money.Money{Amount: cents, Currency: "EUR"} }

// Events of the product "mug-1" used to build histories.
func registered() inventory.ProductRegistered {
	return inventory.ProductRegistered{V: 1, SKU: "mug-1", Name: "Mug", Price: eur(1250), RegisteredAt: t0}
}
func added(q int64) inventory.StockAdded {
	return inventory.StockAdded{V: 1, SKU: "mug-1", Quantity: q, AddedAt: t0}
}
func reserved(order string, q int64) inventory.StockReserved {
	return inventory.StockReserved{V: 1, SKU: "mug-1", OrderID: order, Quantity: q, ReservedAt: t0}
}
func rejected(order string, requested, available int64) inventory.StockReservationRejected {
	return inventory.StockReservationRejected{V: 1, SKU: "mug-1", OrderID: order, Requested: requested, Available: available, RejectedAt: t0}
}
func released(order string, q int64) inventory.ReservationReleased {
	return inventory.ReservationReleased{V: 1, SKU: "mug-1", OrderID: order, Quantity: q, Reason: "payment failed", ReleasedAt: t0}
}
func shipped(order string, q int64) inventory.StockShipped {
	return inventory.StockShipped{V: 1, SKU: "mug-1", OrderID: order, Quantity: q, ShippedAt: t0}
}
