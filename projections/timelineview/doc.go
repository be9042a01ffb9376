// Package timelineview is the order_timeline read model: every event that
// concerns an order, for support staff, kept by Projection from the
// order-{id}, payment-{id}, shipment-{id} and fulfillment-{id} streams and
// the inventory events that name an order. The projection runtime
// (package projections) runs it. docs/readmodels.md describes the columns.
package timelineview
