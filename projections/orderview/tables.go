package orderview

import (
	"fmt"

	"github.com/orderflow/orderflow/projections/readmodels/rowcheck"
)

// Tables implements projections.Projection: the tables orders and
// order_lines, the indexes the GraphQL connections read by, and the row
// check function.
//
// The connections list orders by (placed_at DESC, order_id DESC): all of
// them, those of one status, or those of one customer; each has an index
// in that order. Lines are read by order, through their primary key.
func (*Projection) Tables(schema string) []string {
	return []string{
		fmt.Sprintf(`CREATE TABLE %s.orders (
    order_id        text        PRIMARY KEY,
    customer_id     text        NOT NULL,
    status          text        NOT NULL,
    revision        bigint      NOT NULL,
    total_amount    bigint      NOT NULL,
    total_currency  text        NOT NULL,
    line_count      integer     NOT NULL,
    placed_at       timestamptz NOT NULL,
    confirmed_at    timestamptz,
    paid_at         timestamptz,
    shipped_at      timestamptz,
    delivered_at    timestamptz,
    cancelled_at    timestamptz,
    cancel_reason   text,
    tracking_number text,
    updated_at      timestamptz NOT NULL,
    commit_pos      bigint      NOT NULL,
    prepare_pos     bigint      NOT NULL,
    channel         text        NOT NULL)`, schema),
		fmt.Sprintf(`CREATE INDEX orders_by_placed ON %s.orders (placed_at DESC, order_id DESC)`, schema),
		fmt.Sprintf(`CREATE INDEX orders_by_status ON %s.orders (status, placed_at DESC, order_id DESC)`, schema),
		fmt.Sprintf(`CREATE INDEX orders_by_customer ON %s.orders (customer_id, placed_at DESC, order_id DESC)`, schema),
		fmt.Sprintf(`CREATE TABLE %s.order_lines (
    order_id      text    NOT NULL,
    line_no       integer NOT NULL,
    sku           text    NOT NULL,
    quantity      integer NOT NULL,
    unit_amount   bigint  NOT NULL,
    unit_currency text    NOT NULL,
    PRIMARY KEY (order_id, line_no))`, schema),
		rowcheck.Function(schema),
	}
}
