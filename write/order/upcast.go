package order

import (
	"time"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/money"
)

// ChannelOfV1 is the sales channel of an order placed before order.placed
// recorded one (version 1). Every such order was placed by a program
// through POST /api/v1/orders naming no channel, the field not existing
// yet, and such a request places an api order today: so ChannelAPI, the
// channel the code now records for the same request. Old and new orders
// that named no channel then count alike.
const ChannelOfV1 = ChannelAPI

// placedV1 is order.placed version 1: Placed without Channel.
type placedV1 struct {
	V               int         `json:"v"`
	OrderID         string      `json:"orderId"`
	CustomerID      string      `json:"customerId"`
	Lines           []Line      `json:"lines"`
	Total           money.Money `json:"total"`
	ShippingAddress Address     `json:"shippingAddress"`
	PlacedAt        time.Time   `json:"placedAt"`
}

// EventType returns TypePlaced.
func (placedV1) EventType() string { return TypePlaced }

// upcastPlacedV1 reads an order.placed version 1 (strictly: the fields of
// version 1 only) as the current Placed, with ChannelOfV1.
func upcastPlacedV1(data []byte) (domain.Event, error) {
	e, err := domain.Strict[placedV1](data)
	if err != nil {
		return nil, err
	}
	old := e.(placedV1)
	return Placed{
		V: PlacedVersion, OrderID: old.OrderID, CustomerID: old.CustomerID, Lines: old.Lines, Total: old.Total,
		ShippingAddress: old.ShippingAddress, Channel: ChannelOfV1, PlacedAt: old.PlacedAt,
	}, nil
}
