package fulfillmentview

import "fmt"

// loadSQL reads a saga's stored events in stream order: $1 order_id.
func loadSQL(schema string) string {
	return fmt.Sprintf(`SELECT seq, type, data, recorded_at FROM %s.saga_events WHERE order_id = $1 ORDER BY seq`, schema)
}

// keepSQL stores a saga event: $1 order_id, $2 seq, $3 type, $4 data,
// $5 recorded_at.
func keepSQL(schema string) string {
	return fmt.Sprintf(`INSERT INTO %s.saga_events (order_id, seq, type, data, recorded_at) VALUES ($1, $2, $3, $4, $5)`, schema)
}

// historySQL records the history entry of a saga event: $1 order_id,
// $2 seq, $3 step, $4 outcome, $5 detail, $6 at, $7 event_id,
// $8 causation_id, $9 command_id.
func historySQL(schema string) string {
	return fmt.Sprintf(`INSERT INTO %s.fulfillment_history (order_id, seq, step, outcome, detail, at, event_id, causation_id, command_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, schema)
}

// saveSQL writes where a saga stands: $1 order_id, $2 customer_id,
// $3 state, $4 step, $5 last_error, $6 reason, $7 deadline, $8 retry_at,
// $9 started_at, $10 updated_at, $11 revision.
func saveSQL(schema string) string {
	return fmt.Sprintf(`INSERT INTO %s.fulfillments AS f
    (order_id, customer_id, state, step, last_error, reason, deadline, retry_at, started_at, updated_at, revision)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (order_id) DO UPDATE SET
    customer_id = excluded.customer_id, state = excluded.state, step = excluded.step,
    last_error = excluded.last_error, reason = excluded.reason, deadline = excluded.deadline,
    retry_at = excluded.retry_at, started_at = excluded.started_at, updated_at = excluded.updated_at,
    revision = excluded.revision`, schema)
}
