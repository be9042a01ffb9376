package inventory

import (
	"fmt"

	"github.com/orderflow/orderflow/write/domain"
)

// Category is the stream category of inventory aggregates: one stream per
// SKU, named "inventory-{sku}".
const Category = "inventory"

// MaxSKULength is the longest SKU ValidateSKU accepts.
const MaxSKULength = domain.MaxIDLength

// StreamID returns the name of the stream that holds the product sku:
// "inventory-" + sku. It does not check sku; call ValidateSKU first for
// input that comes from outside.
func StreamID(sku string) string { return Category + "-" + sku }

// ValidateSKU reports whether sku can name a product: 1 to MaxSKULength
// characters, each one of A-Z, a-z, 0-9, '-', '_' and '.'. Because a SKU
// becomes part of a stream name, nothing else is allowed. It returns nil or
// an error wrapping ErrInvalidSKU.
func ValidateSKU(sku string) error {
	if err := domain.CheckID(sku); err != "" {
		return fmt.Errorf("%w: %s", ErrInvalidSKU, err)
	}
	return nil
}

// validateOrderID checks an order id with the same alphabet as a SKU.
func validateOrderID(id string) error {
	if err := domain.CheckID(id); err != "" {
		return fmt.Errorf("%w: %s", ErrInvalidOrderID, err)
	}
	return nil
}
