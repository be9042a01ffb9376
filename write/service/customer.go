package service

import (
	"context"

	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/order"
)

// CustomerOrder runs cmd against order id on behalf of the customer
// customerID, as Order does, except that an order placed by another
// customer is treated as one that does not exist: cmd is decided on the
// empty order state, so the caller gets exactly the answer an order that
// was never placed gets (order.ErrOrderNotFound, order.ErrInvalidReason
// for a bad reason, ErrRevisionMismatch when ifRevision is set) and learns
// nothing about the other customer's order, which is left unchanged. The
// check is part of the command's decision, made on the state the events
// would be appended against, so no concurrent change can slip between
// check and append. An empty customerID owns no order. Orders are placed
// with PlaceOrder, not here: placing on another customer's order id fails
// with order.ErrOrderNotFound.
func (s *Service) CustomerOrder(ctx context.Context, meta command.Meta, customerID, id string, cmd order.Command, ifRevision *int64) (command.Result, error) {
	return s.order(ctx, meta, id, cmd, ifRevision, func(st order.State) bool {
		return st.Exists() && (customerID == "" || st.CustomerID != customerID)
	})
}
