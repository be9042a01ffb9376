-- +goose Up
-- Notifications are recorded once, by the customer_notifications read
-- model on the projection runtime (one owner by lease, dead letters). The
-- notification context's own copy of the same rows, which nothing read,
-- goes.
DROP SCHEMA notifications CASCADE;

-- +goose Down
CREATE SCHEMA notifications;

CREATE TABLE notifications.order_customers (
    order_id    text PRIMARY KEY,
    customer_id text NOT NULL
);

CREATE TABLE notifications.sent (
    event_id    uuid        PRIMARY KEY,
    order_id    text        NOT NULL,
    customer_id text        NOT NULL,
    kind        text        NOT NULL,
    message     text        NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE INDEX sent_customer_idx ON notifications.sent (customer_id, created_at);

CREATE TABLE notifications.checkpoint (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    commit_pos  bigint  NOT NULL,
    prepare_pos bigint  NOT NULL
);
