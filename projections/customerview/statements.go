package customerview

import (
	"fmt"

	"github.com/orderflow/orderflow/projections/readmodels/rowcheck"
)

// placeSQL notes who placed an order and counts it for the customer:
// $1 order_id, $2 customer_id, $3 placed_at.
func placeSQL(schema string) string {
	return fmt.Sprintf(`WITH placed AS (
    INSERT INTO %[1]s.order_customers (order_id, customer_id) VALUES ($1, $2))
INSERT INTO %[1]s.customers AS c (customer_id, order_count, first_order_at, last_order_at)
VALUES ($2, 1, $3, $3)
ON CONFLICT (customer_id) DO UPDATE SET
    order_count    = c.order_count + 1,
    first_order_at = least(c.first_order_at, excluded.first_order_at),
    last_order_at  = greatest(c.last_order_at, excluded.last_order_at)`, schema)
}

// paidSQL adds what order.paid recorded to the spend of the order's
// customer and notes the order paid in that currency: $1 order_id,
// $2 currency, $3 amount; $4 the message of the error when the order was
// never placed.
func paidSQL(schema string) string {
	return fmt.Sprintf(`WITH paid AS (
    UPDATE %[1]s.order_customers SET paid_currency = $2 WHERE order_id = $1 RETURNING customer_id
), spent AS (
    INSERT INTO %[1]s.customer_spend AS s (customer_id, currency, amount)
    SELECT customer_id, $2, $3 FROM paid
    ON CONFLICT (customer_id, currency) DO UPDATE SET amount = s.amount + excluded.amount)
SELECT %[2]s`, schema, rowcheck.Assert(schema, "EXISTS (SELECT FROM paid)", 4))
}

// refundedSQL takes what payment.refunded gave back off the spend of the
// order's customer, if the order was paid in that currency (a refund of a
// charge the order never recorded as paid, such as one a cancellation
// raced, was never spent): $1 order_id, $2 currency, $3 amount; $4 the
// message of the error when the order was never placed.
func refundedSQL(schema string) string {
	return fmt.Sprintf(`WITH placed AS (
    SELECT customer_id, paid_currency FROM %[1]s.order_customers WHERE order_id = $1
), refunded AS (
    UPDATE %[1]s.customer_spend s SET amount = s.amount - $3
    FROM placed WHERE s.customer_id = placed.customer_id AND s.currency = $2 AND placed.paid_currency = $2)
SELECT %[2]s`, schema, rowcheck.Assert(schema, "EXISTS (SELECT FROM placed)", 4))
}
