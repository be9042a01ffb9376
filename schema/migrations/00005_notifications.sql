-- +goose Up
-- The notification context's own storage: which customer each order
-- belongs to (learnt from order.placed), every notification sent, once per
-- order event, and how far into the global log the notifier has read.
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

-- +goose Down
DROP SCHEMA notifications CASCADE;
