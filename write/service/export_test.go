package service

import (
	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/money"
)

// CatalogCurrent reports whether c answers from memory.
func CatalogCurrent(c *Catalog) bool { return c.current.Load() }

// CatalogPrice is c's answer for sku.
func CatalogPrice(c *Catalog, sku string) (money.Money, bool) { return c.price(sku) }

// CatalogPosition is how far into the log c has read.
func CatalogPosition(c *Catalog) eventstore.Position {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.pos
}
