package notificationview

import (
	"fmt"

	"github.com/orderflow/orderflow/projections/readmodels/rowcheck"
)

// Tables implements projections.Projection: the view table
// customer_notifications, read by customer in the order they were created;
// the bookkeeping table order_customers, which customer placed each
// order; and the row check function.
func (*Projection) Tables(schema string) []string {
	return []string{
		fmt.Sprintf(`CREATE TABLE %s.customer_notifications (
    event_id    uuid        PRIMARY KEY,
    customer_id text        NOT NULL,
    order_id    text        NOT NULL,
    kind        text        NOT NULL,
    message     text        NOT NULL,
    created_at  timestamptz NOT NULL)`, schema),
		fmt.Sprintf(`CREATE INDEX customer_notifications_by_customer ON %s.customer_notifications (customer_id, created_at DESC, event_id)`, schema),
		fmt.Sprintf(`CREATE TABLE %s.order_customers (
    order_id    text PRIMARY KEY,
    customer_id text NOT NULL)`, schema),
		rowcheck.Function(schema),
	}
}
