// Package readmodels is the registry of orderflow's read models: All
// returns one projection of each, for the projection runtime (package
// projections) to run. The read models themselves live in
// projections/orderview, productview, customerview, fulfillmentview,
// timelineview and notificationview; docs/readmodels.md describes their
// views.
package readmodels

import (
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/customerview"
	"github.com/orderflow/orderflow/projections/fulfillmentview"
	"github.com/orderflow/orderflow/projections/notificationview"
	"github.com/orderflow/orderflow/projections/orderview"
	"github.com/orderflow/orderflow/projections/productview"
	"github.com/orderflow/orderflow/projections/timelineview"
)

// All returns a new value of every read model's projection: orders,
// products, customers, fulfillment, order_timeline and
// customer_notifications. Names and views are unique across them.
func All() []projections.Projection {
	return []projections.Projection{
		orderview.New(),
		productview.New(),
		customerview.New(),
		fulfillmentview.New(),
		timelineview.New(),
		notificationview.New(),
	}
}
