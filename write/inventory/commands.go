package inventory

import "github.com/orderflow/orderflow/write/money"

// Limits Decide enforces on commands.
const (
	// MaxQuantity is the largest quantity one AddStock or Reserve may carry.
	MaxQuantity = 1_000_000
	// MaxNameLength is the longest product name, in characters.
	MaxNameLength = 200
	// MaxReasonLength is the longest release reason, in characters.
	MaxReasonLength = 500
)

// Command is a request to change one product's stream. Only this
// package's command types satisfy it; pass them as values.
type Command interface {
	isCommand()
}

// RegisterProduct adds a SKU to the catalog with its name and unit price.
// It is the only command a SKU accepts before it is registered.
type RegisterProduct struct {
	SKU   string
	Name  string
	Price money.Money
}

// ChangePrice sets a registered product's unit price, in its currency.
type ChangePrice struct {
	Price money.Money
}

// AddStock records Quantity units arriving on hand.
type AddStock struct {
	Quantity int64
}

// Reserve holds Quantity units for an order, if that many are available.
type Reserve struct {
	OrderID  string
	Quantity int64
}

// Release gives an order's reservation back to the available stock.
type Release struct {
	OrderID string
	Reason  string
}

// Ship takes an order's reserved units out of the warehouse.
type Ship struct {
	OrderID string
}

func (RegisterProduct) isCommand() {}
func (ChangePrice) isCommand()     {}
func (AddStock) isCommand()        {}
func (Reserve) isCommand()         {}
func (Release) isCommand()         {}
func (Ship) isCommand()            {}
