package shipping

import (
	"fmt"

	"github.com/orderflow/orderflow/write/domain"
)

// Category is the stream category of shipments: one stream per order,
// named "shipment-{orderId}".
const Category = "shipment"

// MaxOrderIDLength is the longest order id ValidateOrderID accepts.
const MaxOrderIDLength = 64

// StreamID returns the name of the stream that holds the shipment of order
// orderID: "shipment-" + orderID. It does not check orderID; call
// ValidateOrderID first for input that comes from outside.
func StreamID(orderID string) string { return Category + "-" + orderID }

// ValidateOrderID reports whether id can name an order's shipment: 1 to
// MaxOrderIDLength characters, each one of A-Z, a-z, 0-9, '-', '_' and '.'
// (it becomes part of a stream name). It returns nil or an error wrapping
// ErrInvalidOrderID.
func ValidateOrderID(id string) error {
	if problem := domain.CheckID(id); problem != "" {
		return fmt.Errorf("%w: %s", ErrInvalidOrderID, problem)
	}
	return nil
}
