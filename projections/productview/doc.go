// Package productview is the products read model: one row per registered
// product (view readmodel.products) with its name, price and stock, kept
// from the inventory-{sku} streams by Projection, which the projection
// runtime (package projections) runs. docs/readmodels.md describes the
// columns.
package productview
