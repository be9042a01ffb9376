// Package orderview is the orders read model: one row per placed order
// (view readmodel.orders) and one per order line (readmodel.order_lines),
// kept from the order-{id} streams by Projection, which the projection
// runtime (package projections) runs. docs/readmodels.md describes the
// columns.
package orderview
