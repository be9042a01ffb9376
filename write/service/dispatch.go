package service

import (
	"context"
	"fmt"

	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/shipping"
)

// Dispatched records the carrier's word that it took order id's parcel:
// the shipment is dispatched, the reserved stock of every line is shipped,
// and the order is marked shipped. Each command is idempotent under meta's
// idempotency key, so a retry completes whatever a failure left undone.
func (s *Service) Dispatched(ctx context.Context, meta command.Meta, id, trackingNumber string) (command.Result, error) {
	if _, err := s.Shipment(ctx, meta, id, shipping.Dispatch{TrackingNumber: trackingNumber}); err != nil {
		return command.Result{}, err
	}
	o, err := command.Load(ctx, s.h, orders, id)
	if err != nil {
		return command.Result{}, err
	}
	for _, l := range o.Lines {
		if _, err := s.Inventory(ctx, meta, l.SKU, inventory.Ship{OrderID: id}); err != nil {
			return command.Result{}, fmt.Errorf("ship %s for order %s: %w", l.SKU, id, err)
		}
	}
	return s.Order(ctx, meta, id, order.MarkShipped{TrackingNumber: trackingNumber}, nil)
}
