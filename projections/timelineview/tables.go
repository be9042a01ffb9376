package timelineview

import "fmt"

// Tables implements projections.Projection: the table order_timeline,
// whose primary key (order_id, commit_pos, prepare_pos) serves an order's
// timeline in the log's order.
func (*Projection) Tables(schema string) []string {
	return []string{
		fmt.Sprintf(`CREATE TABLE %s.order_timeline (
    order_id       text        NOT NULL,
    commit_pos     bigint      NOT NULL,
    prepare_pos    bigint      NOT NULL,
    event_id       uuid        NOT NULL,
    stream         text        NOT NULL,
    revision       bigint      NOT NULL,
    type           text        NOT NULL,
    occurred_at    timestamptz NOT NULL,
    correlation_id text        NOT NULL,
    causation_id   text        NOT NULL,
    user_id        text        NOT NULL,
    data           jsonb       NOT NULL,
    PRIMARY KEY (order_id, commit_pos, prepare_pos))`, schema),
	}
}
