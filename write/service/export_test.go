package service

import "github.com/orderflow/orderflow/write/money"

// CatalogCurrent reports whether c answers from memory.
func CatalogCurrent(c *Catalog) bool { return c.current.Load() }

// CatalogPrice is c's answer for sku.
func CatalogPrice(c *Catalog, sku string) (money.Money, bool) { return c.price(sku) }
