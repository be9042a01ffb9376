package service

import (
	"context"
	"fmt"

	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
)

// PlaceOrder places an order at the catalog's current prices: cmd.Prices
// is filled in here from the inventory context, whatever the caller put in
// it. A SKU the catalog does not know fails with order.ErrUnknownSKU.
func (s *Service) PlaceOrder(ctx context.Context, meta command.Meta, cmd order.Place) (command.Result, error) {
	skus := make([]string, 0, len(cmd.Lines))
	for _, l := range cmd.Lines {
		skus = append(skus, l.SKU)
	}
	prices, err := s.Prices(ctx, skus)
	if err != nil {
		return command.Result{}, err
	}
	cmd.Prices = prices
	return s.Order(ctx, meta, cmd.OrderID, cmd, nil)
}

// Prices returns the current catalog price of each registered SKU among
// skus; unknown or malformed SKUs are left out. Prices come from the
// Catalog when it has them, else from the product's stream.
func (s *Service) Prices(ctx context.Context, skus []string) (map[string]money.Money, error) {
	prices := make(map[string]money.Money, len(skus))
	for _, sku := range skus {
		if _, seen := prices[sku]; seen || inventory.ValidateSKU(sku) != nil {
			continue
		}
		if s.catalog != nil {
			if p, ok := s.catalog.price(sku); ok {
				prices[sku] = p
				continue
			}
		}
		st, err := command.Load(ctx, s.h, stock, sku)
		if err != nil {
			return nil, fmt.Errorf("price of %s: %w", sku, err)
		}
		if st.Registered {
			prices[sku] = st.Price
		}
	}
	return prices, nil
}
