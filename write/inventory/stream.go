package inventory

import "fmt"

// Category is the stream category of inventory aggregates: one stream per
// SKU, named "inventory-{sku}".
const Category = "inventory"

// MaxSKULength is the longest SKU ValidateSKU accepts.
const MaxSKULength = 64

// maxOrderIDLength is the longest order id a reservation accepts.
const maxOrderIDLength = 64

// StreamID returns the name of the stream that holds the product sku:
// "inventory-" + sku. It does not check sku; call ValidateSKU first for
// input that comes from outside.
func StreamID(sku string) string { return Category + "-" + sku }

// ValidateSKU reports whether sku can name a product: 1 to MaxSKULength
// characters, each one of A-Z, a-z, 0-9, '-', '_' and '.'. Because a SKU
// becomes part of a stream name, nothing else is allowed. It returns nil or
// an error wrapping ErrInvalidSKU.
func ValidateSKU(sku string) error {
	if err := checkID(sku, MaxSKULength); err != "" {
		return fmt.Errorf("%w: %s", ErrInvalidSKU, err)
	}
	return nil
}

// validateOrderID checks an order id with the same alphabet as a SKU.
func validateOrderID(id string) error {
	if err := checkID(id, maxOrderIDLength); err != "" {
		return fmt.Errorf("%w: %s", ErrInvalidOrderID, err)
	}
	return nil
}

// checkID returns what is wrong with an identifier, or "" when it is fine.
func checkID(id string, max int) string {
	if id == "" {
		return "it is empty"
	}
	if len(id) > max {
		return fmt.Sprintf("it is longer than %d characters", max)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			return "only letters A-Z and a-z, digits and - _ . are allowed"
		}
	}
	return ""
}
