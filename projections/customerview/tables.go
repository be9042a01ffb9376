package customerview

import (
	"fmt"

	"github.com/orderflow/orderflow/projections/readmodels/rowcheck"
)

// Tables implements projections.Projection: the view tables customers and
// customer_spend, read by customer through their primary keys; the
// bookkeeping table order_customers, which customer placed each order and
// in which currency it was paid (NULL until order.paid), which payment
// events need since they do not name the customer; and the row check
// function.
func (*Projection) Tables(schema string) []string {
	return []string{
		fmt.Sprintf(`CREATE TABLE %s.customers (
    customer_id    text        PRIMARY KEY,
    order_count    bigint      NOT NULL,
    first_order_at timestamptz NOT NULL,
    last_order_at  timestamptz NOT NULL)`, schema),
		fmt.Sprintf(`CREATE TABLE %s.customer_spend (
    customer_id text   NOT NULL,
    currency    text   NOT NULL,
    amount      bigint NOT NULL,
    PRIMARY KEY (customer_id, currency))`, schema),
		fmt.Sprintf(`CREATE TABLE %s.order_customers (
    order_id      text PRIMARY KEY,
    customer_id   text NOT NULL,
    paid_currency text)`, schema),
		rowcheck.Function(schema),
	}
}
