package service

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
)

// Catalog keeps the current price of every product in memory, fed by a
// subscription to the inventory context's events, so that placing an order
// does not read a product stream per line. A SKU it has not seen yet (one
// registered a moment ago) is read from its stream, so the catalog never
// refuses a product that exists; a price change reaches it within moments
// of being stored. It is safe for concurrent use.
type Catalog struct {
	mu     sync.RWMutex
	prices map[string]money.Money
}

// NewCatalog returns an empty catalog; Run fills it.
func NewCatalog() *Catalog {
	return &Catalog{prices: map[string]money.Money{}}
}

// Run follows the inventory events of store until ctx ends, and returns
// ctx's error, or the error that stopped the subscription.
func (c *Catalog) Run(ctx context.Context, store eventstore.Store) error {
	sub, err := store.Subscribe(ctx, eventstore.SubscribeOptions{Category: inventory.Category})
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	defer sub.Close()
	for {
		events, err := sub.Next(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, eventstore.ErrSubscriptionClosed) {
				return ctx.Err()
			}
			return fmt.Errorf("catalog: %w", err)
		}
		c.apply(events)
	}
}

func (c *Catalog) apply(events []eventstore.RecordedEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range events {
		if r.Type != inventory.TypeProductRegistered && r.Type != inventory.TypePriceChanged {
			continue
		}
		e, err := inventory.Decode(r.Type, r.Data)
		if err != nil {
			continue // the stream reader reports it when the SKU is asked for
		}
		switch e := e.(type) {
		case inventory.ProductRegistered:
			c.prices[e.SKU] = e.Price
		case inventory.PriceChanged:
			c.prices[e.SKU] = e.Price
		}
	}
}

// price returns the cached price of sku.
func (c *Catalog) price(sku string) (money.Money, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p, ok := c.prices[sku]
	return p, ok
}
