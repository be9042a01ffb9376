package orderview

import (
	"fmt"
	"sync"

	"github.com/orderflow/orderflow/projections/readmodels/rowcheck"
)

// statements are the SQL statements of one generation schema.
type statements struct {
	// place inserts an order and its lines:
	// $1 order_id, $2 customer_id, $3 status, $4 revision, $5 total_amount,
	// $6 total_currency, $7 placed_at, $8 updated_at, $9 commit_pos,
	// $10 prepare_pos, then the lines as arrays: $11 sku, $12 quantity,
	// $13 unit_amount, $14 unit_currency.
	place string
	// update applies any later order event: $1 order_id, $2 revision,
	// $3 status, $4 updated_at, $5 commit_pos, $6 prepare_pos, then what
	// the event sets (NULL leaves the column as it is): $7 confirmed_at,
	// $8 paid_at, $9 shipped_at, $10 delivered_at, $11 cancelled_at,
	// $12 cancel_reason, $13 tracking_number; $14 the message of the
	// error when the order is not there.
	//
	// Status, revision, updated_at and the position follow the event of
	// the highest revision, and each event's own columns are set whatever
	// came before: a parked event applied later by a redrive fills in
	// what it says without moving the order back.
	update string
}

func newStatements(schema string) *statements {
	return &statements{
		place: fmt.Sprintf(`WITH placed AS (
    INSERT INTO %[1]s.orders (order_id, customer_id, status, revision, total_amount, total_currency,
        line_count, placed_at, updated_at, commit_pos, prepare_pos)
    VALUES ($1, $2, $3, $4, $5, $6, cardinality($11::text[]), $7, $8, $9, $10))
INSERT INTO %[1]s.order_lines (order_id, line_no, sku, quantity, unit_amount, unit_currency)
SELECT $1, l.n - 1, l.sku, l.quantity, l.amount, l.currency
FROM unnest($11::text[], $12::integer[], $13::bigint[], $14::text[]) WITH ORDINALITY AS l (sku, quantity, amount, currency, n)`, schema),
		update: rowcheck.Require(schema, fmt.Sprintf(`UPDATE %s.orders SET
    status          = CASE WHEN $2 > revision THEN $3 ELSE status END,
    updated_at      = CASE WHEN $2 > revision THEN $4 ELSE updated_at END,
    commit_pos      = CASE WHEN $2 > revision THEN $5 ELSE commit_pos END,
    prepare_pos     = CASE WHEN $2 > revision THEN $6 ELSE prepare_pos END,
    revision        = greatest(revision, $2),
    confirmed_at    = coalesce($7, confirmed_at),
    paid_at         = coalesce($8, paid_at),
    shipped_at      = coalesce($9, shipped_at),
    delivered_at    = coalesce($10, delivered_at),
    cancelled_at    = coalesce($11, cancelled_at),
    cancel_reason   = coalesce($12, cancel_reason),
    tracking_number = coalesce($13, tracking_number)
WHERE order_id = $1
RETURNING 1`, schema), 14),
	}
}

// statementCache keeps the statements of the schemas the projection
// writes to (the live generation's, and a rebuild's), so that Apply does
// not format them for every event. It is safe for concurrent use.
type statementCache struct {
	mu       sync.Mutex
	bySchema map[string]*statements
}

// maxCachedSchemas bounds the cache: more schemas than a live generation
// and a rebuild are in use only briefly.
const maxCachedSchemas = 4

func (c *statementCache) get(schema string) *statements {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.bySchema[schema]; ok {
		return s
	}
	if c.bySchema == nil || len(c.bySchema) >= maxCachedSchemas {
		c.bySchema = make(map[string]*statements, maxCachedSchemas)
	}
	s := newStatements(schema)
	c.bySchema[schema] = s
	return s
}
