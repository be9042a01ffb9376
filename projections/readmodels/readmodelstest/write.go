package readmodelstest

import (
	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/payment"
	"github.com/orderflow/orderflow/write/shipping"
)

// The metadata of the commands the Env's helpers send, which their
// events carry.
const (
	CommandID     = "cmd-1"
	CorrelationID = "corr-1"
	UserID        = "user-1"
)

// Meta returns the metadata of the commands the Env's helpers send.
func Meta() command.Meta {
	return command.Meta{CommandID: CommandID, CorrelationID: CorrelationID, UserID: UserID}
}

// EUR returns amount cents of euro.
func EUR(amount int64) money.Money { return money.Money{Amount: amount, Currency: "EUR"} }

// Address is the shipping address of the Env's orders, in country.
func Address(country string) order.Address {
	return order.Address{Name: "A. Buyer", Line1: "1 Main St", City: "Town", PostalCode: "10115", Country: country}
}

// done records a command's result, failing the test on an error.
func (e *Env) done(res command.Result, err error) eventstore.Position {
	e.T.Helper()
	if err != nil {
		e.T.Fatal(err)
	}
	e.Wrote(res.Position)
	return res.Position
}

// Product registers sku at price with stock units on hand (no stock
// event when stock is 0).
func (e *Env) Product(sku, name string, price money.Money, stock int64) {
	e.T.Helper()
	e.done(e.Service.Inventory(e.Ctx(), Meta(), sku, inventory.RegisterProduct{SKU: sku, Name: name, Price: price}))
	if stock > 0 {
		e.Inventory(sku, inventory.AddStock{Quantity: stock})
	}
}

// Inventory runs cmd against the product sku.
func (e *Env) Inventory(sku string, cmd inventory.Command) eventstore.Position {
	e.T.Helper()
	return e.done(e.Service.Inventory(e.Ctx(), Meta(), sku, cmd))
}

// Place places order id for customer at the catalog's prices, to be
// shipped to Address("DE").
func (e *Env) Place(id, customer string, lines ...order.LineRequest) eventstore.Position {
	e.T.Helper()
	return e.done(e.Service.PlaceOrder(e.Ctx(), Meta(), order.Place{OrderID: id, CustomerID: customer, Lines: lines, ShippingAddress: Address("DE")}))
}

// Order runs cmd against order id.
func (e *Env) Order(id string, cmd order.Command) eventstore.Position {
	e.T.Helper()
	return e.done(e.Service.Order(e.Ctx(), Meta(), id, cmd, nil))
}

// Payment runs cmd against the payment of order id.
func (e *Env) Payment(id string, cmd payment.Command) eventstore.Position {
	e.T.Helper()
	return e.done(e.Service.Payment(e.Ctx(), Meta(), id, cmd))
}

// Shipment runs cmd against the shipment of order id.
func (e *Env) Shipment(id string, cmd shipping.Command) eventstore.Position {
	e.T.Helper()
	return e.done(e.Service.Shipment(e.Ctx(), Meta(), id, cmd))
}

// Dispatched records that the carrier took order id's parcel: shipment
// dispatched, stock shipped, order shipped.
func (e *Env) Dispatched(id, tracking string) eventstore.Position {
	e.T.Helper()
	return e.done(e.Service.Dispatched(e.Ctx(), Meta(), id, tracking))
}

// Delivered records that order id's parcel arrived: shipment and order
// delivered.
func (e *Env) Delivered(id string) eventstore.Position {
	e.T.Helper()
	e.Shipment(id, shipping.Deliver{})
	return e.Order(id, order.MarkDelivered{})
}

// Raw appends an event of type typ carrying data to stream as it is,
// bypassing the write side (for events the write side would never write),
// and returns its id.
func (e *Env) Raw(stream, typ, data string) uuid.UUID {
	e.T.Helper()
	id := uuid.New()
	res, err := e.Store.Append(e.Ctx(), stream, eventstore.Any, eventstore.EventData{ID: id, Type: typ, Data: []byte(data)})
	if err != nil {
		e.T.Fatal(err)
	}
	e.Wrote(res.Position)
	return id
}
