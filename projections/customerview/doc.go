// Package customerview is the customers read model: per customer, the
// orders placed (view readmodel.customers) and the lifetime spend per
// currency (readmodel.customer_spend), kept from the order-{id} and
// payment-{id} streams by Projection, which the projection runtime
// (package projections) runs. docs/readmodels.md describes the columns.
package customerview
