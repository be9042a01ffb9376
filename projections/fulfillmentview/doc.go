// Package fulfillmentview is the fulfillment read model: where each order's
// fulfillment saga stands (view readmodel.fulfillments) and what it did
// (readmodel.fulfillment_history), kept from the fulfillment-{id} saga
// streams by Projection, which the projection runtime (package
// projections) runs. docs/readmodels.md describes the columns.
//
// The saga's state is folded with fulfillment.Evolve from the saga's
// events, which the projection keeps in a bookkeeping table of its own
// (saga_events), so that the row of a saga is a function of its events
// alone.
package fulfillmentview
