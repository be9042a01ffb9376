-- +goose Up
-- The api processes that share one rate limit (package platform/ratelimit):
-- each keeps a row here fresh (a heartbeat) while it serves, and limits
-- each client to its share of the configured limit by how many rows are
-- fresh. A process that stops deletes its row; one that dies is counted
-- until its row goes stale.
CREATE SCHEMA IF NOT EXISTS ratelimit;

CREATE TABLE ratelimit.replicas (
    name    text        PRIMARY KEY,
    seen_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE ratelimit.replicas;
DROP SCHEMA ratelimit;
