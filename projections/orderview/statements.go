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
	// $13 unit_amount, $14 unit_currency; $15 channel.
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
	// insertOrders, insertLines and updateMany are the set-based
	// statements of ApplyBatch (see batch.go for their parameters).
	insertOrders, insertLines, updateMany string
}

func newStatements(schema string) *statements {
	return &statements{
		place: fmt.Sprintf(`WITH placed AS (
    INSERT INTO %[1]s.orders (order_id, customer_id, status, revision, total_amount, total_currency,
        line_count, placed_at, updated_at, commit_pos, prepare_pos, channel)
    VALUES ($1, $2, $3, $4, $5, $6, cardinality($11::text[]), $7, $8, $9, $10, $15))
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
		insertOrders: fmt.Sprintf(`INSERT INTO %s.orders (order_id, customer_id, status, revision, total_amount, total_currency,
    line_count, placed_at, updated_at, commit_pos, prepare_pos, confirmed_at, paid_at, shipped_at, delivered_at,
    cancelled_at, cancel_reason, tracking_number, channel)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::integer[],
    $8::timestamptz[], $9::timestamptz[], $10::bigint[], $11::bigint[], $12::timestamptz[], $13::timestamptz[],
    $14::timestamptz[], $15::timestamptz[], $16::timestamptz[], $17::text[], $18::text[], $19::text[])`, schema),
		insertLines: fmt.Sprintf(`INSERT INTO %s.order_lines (order_id, line_no, sku, quantity, unit_amount, unit_currency)
SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::integer[], $5::bigint[], $6::text[])`, schema),
		updateMany: fmt.Sprintf(`WITH u AS (
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::timestamptz[], $5::bigint[], $6::bigint[],
        $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::timestamptz[], $12::text[], $13::text[])
    AS u (order_id, revision, status, updated_at, commit_pos, prepare_pos, confirmed_at, paid_at, shipped_at,
        delivered_at, cancelled_at, cancel_reason, tracking_number)),
touched AS (
    UPDATE %[1]s.orders o SET
        status          = CASE WHEN u.revision > o.revision THEN u.status ELSE o.status END,
        updated_at      = CASE WHEN u.revision > o.revision THEN u.updated_at ELSE o.updated_at END,
        commit_pos      = CASE WHEN u.revision > o.revision THEN u.commit_pos ELSE o.commit_pos END,
        prepare_pos     = CASE WHEN u.revision > o.revision THEN u.prepare_pos ELSE o.prepare_pos END,
        revision        = greatest(o.revision, u.revision),
        confirmed_at    = coalesce(u.confirmed_at, o.confirmed_at),
        paid_at         = coalesce(u.paid_at, o.paid_at),
        shipped_at      = coalesce(u.shipped_at, o.shipped_at),
        delivered_at    = coalesce(u.delivered_at, o.delivered_at),
        cancelled_at    = coalesce(u.cancelled_at, o.cancelled_at),
        cancel_reason   = coalesce(u.cancel_reason, o.cancel_reason),
        tracking_number = coalesce(u.tracking_number, o.tracking_number)
    FROM u WHERE o.order_id = u.order_id
    RETURNING 1)
SELECT %[2]s`, schema, rowcheck.Assert(schema, "(SELECT count(*) FROM touched) = $14", 15)),
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
