package fulfillmentview

import "fmt"

// Tables implements projections.Projection: the view tables fulfillments
// (read by order, or by state) and fulfillment_history (read by order, in
// the saga's order, through its primary key; its setbacks and ends by
// time, for the charts), and the bookkeeping table saga_events, each
// saga's events as stored.
func (*Projection) Tables(schema string) []string {
	return []string{
		fmt.Sprintf(`CREATE TABLE %s.fulfillments (
    order_id    text        PRIMARY KEY,
    customer_id text        NOT NULL,
    state       text        NOT NULL,
    step        text        NOT NULL,
    last_error  text,
    reason      text,
    deadline    timestamptz,
    retry_at    timestamptz,
    started_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    revision    bigint      NOT NULL)`, schema),
		fmt.Sprintf(`CREATE INDEX fulfillments_by_state ON %s.fulfillments (state, updated_at DESC, order_id)`, schema),
		fmt.Sprintf(`CREATE TABLE %s.fulfillment_history (
    order_id text        NOT NULL,
    seq      bigint      NOT NULL,
    step     text        NOT NULL,
    outcome  text        NOT NULL,
    detail   text        NOT NULL,
    at       timestamptz NOT NULL,
    event_id     uuid NOT NULL,
    causation_id text NOT NULL,
    command_id   text,
    PRIMARY KEY (order_id, seq))`, schema),
		// Package charts counts these by time; the condition is its query's.
		fmt.Sprintf(`CREATE INDEX fulfillment_history_by_time ON %s.fulfillment_history (at)
    WHERE outcome IN ('parked', 'failed') OR step IN ('completed', 'compensated')`, schema),
		fmt.Sprintf(`CREATE TABLE %s.saga_events (
    order_id    text        NOT NULL,
    seq         bigint      NOT NULL,
    type        text        NOT NULL,
    data        bytea       NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (order_id, seq))`, schema),
	}
}
