package inventory

import (
	"github.com/orderflow/orderflow/write/domain"
)

// Errors Decide returns. Each is a *domain.Error, so errors.Is matches it
// and its kind (domain.ErrInvalid, domain.ErrRule, domain.ErrNotFound);
// Decide may wrap one with %w to add detail.
var (
	// ErrInvalidSKU: the SKU is empty, too long or has a character outside
	// A-Z a-z 0-9 - _ .
	ErrInvalidSKU = domain.Invalid("invalid_sku",
		"a SKU is 1 to 64 characters of letters, digits, '-', '_' and '.'")
	// ErrInvalidName: the product name is blank, too long, not UTF-8 or has
	// control characters.
	ErrInvalidName = domain.Invalid("invalid_product_name",
		"a product name is 1 to 200 characters of printable text")
	// ErrInvalidPrice: the price is not positive or its currency is not an
	// ISO 4217 code.
	ErrInvalidPrice = domain.Invalid("invalid_price",
		"a price is a positive amount in a three-letter currency such as EUR")
	// ErrInvalidQuantity: a quantity outside 1..MaxQuantity.
	ErrInvalidQuantity = domain.Invalid("invalid_quantity",
		"a quantity is a whole number from 1 to 1000000")
	// ErrInvalidOrderID: the order id is empty, too long or has a character
	// outside A-Z a-z 0-9 - _ .
	ErrInvalidOrderID = domain.Invalid("invalid_order_id",
		"an order id is 1 to 64 characters of letters, digits, '-', '_' and '.'")
	// ErrInvalidReason: the release reason is blank, too long, not UTF-8 or
	// has control characters.
	ErrInvalidReason = domain.Invalid("invalid_reason",
		"a reason is 1 to 500 characters of printable text")
	// ErrUnknownCommand: Decide got a command it does not know (nil, or a
	// pointer to a command instead of the command value).
	ErrUnknownCommand = domain.Invalid("unknown_command", "the inventory does not know this command")

	// ErrProductNotFound: the SKU was never registered.
	ErrProductNotFound = domain.NotFound("product_not_found", "no product is registered under this SKU")

	// ErrProductAlreadyRegistered: RegisterProduct for a SKU that is already
	// registered with another name or price.
	ErrProductAlreadyRegistered = domain.Rule("product_already_registered",
		"a product with this SKU is already registered with a different name or price")
	// ErrCurrencyChange: ChangePrice in another currency than the product's.
	ErrCurrencyChange = domain.Rule("price_currency_change",
		"a product keeps the currency it was registered with")
	// ErrStockOverflow: AddStock would take the stock on hand past the
	// largest quantity that can be stored.
	ErrStockOverflow = domain.Rule("stock_overflow",
		"adding this quantity would exceed the largest stock that can be recorded")
	// ErrReservationConflict: Reserve for an order that already holds a
	// reservation of another quantity.
	ErrReservationConflict = domain.Rule("reservation_conflict",
		"this order already holds a reservation of a different quantity")
	// ErrReservationReleased: Reserve or Ship for an order whose
	// reservation was released.
	ErrReservationReleased = domain.Rule("reservation_released",
		"this order's reservation was released; it can be neither shipped nor reserved again")
	// ErrReservationShipped: Reserve for an order whose reservation was
	// already shipped.
	ErrReservationShipped = domain.Rule("reservation_shipped",
		"this order's reservation was already shipped; it cannot be reserved again")
	// ErrNotReserved: Ship for an order that holds no reservation.
	ErrNotReserved = domain.Rule("stock_not_reserved",
		"no stock is reserved for this order, so there is nothing to ship")
	// ErrInsufficientStock: Ship for more than is on hand. Decide's other
	// rules make this impossible for a history Decide wrote; it guards
	// against a damaged one.
	ErrInsufficientStock = domain.Rule("insufficient_stock",
		"there is less stock on hand than this order reserved")
)

// Errors Decode returns, wrapped with the event type and detail.
var (
	// ErrUnknownEventType: the type is not an inventory event.
	ErrUnknownEventType = domain.ErrUnknownEventType
	// ErrUnsupportedVersion: the payload's schema version is newer than
	// this code knows, or below 1.
	ErrUnsupportedVersion = domain.ErrUnsupportedVersion
	// ErrMalformedEvent: the payload is not the JSON object its type and
	// version call for.
	ErrMalformedEvent = domain.ErrMalformedEvent
)
