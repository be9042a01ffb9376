-- +goose Up
-- The command API's memory of Idempotency-Key requests: the first response
-- to each (scope, key), replayed byte for byte to retries.
CREATE SCHEMA api;

CREATE TABLE api.idempotency (
    scope       text        NOT NULL,
    key         text        NOT NULL,
    fingerprint bytea       NOT NULL,
    status      int         NOT NULL,
    headers     jsonb       NOT NULL,
    body        bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);

CREATE INDEX idempotency_created_at_idx ON api.idempotency (created_at);

-- +goose Down
DROP SCHEMA api CASCADE;
