-- +goose Up
-- The fulfillment saga's bookkeeping beside its event streams: where its
-- subscription is in the global log, and which sagas are still running and
-- when each wants to run next (a parked step's retry, a payment deadline).
CREATE SCHEMA sagas;

CREATE TABLE sagas.checkpoints (
    name        text        PRIMARY KEY,
    commit_pos  bigint      NOT NULL,
    prepare_pos bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sagas.active (
    saga     text        NOT NULL,
    saga_id  text        NOT NULL,
    wake_at  timestamptz NOT NULL,
    PRIMARY KEY (saga, saga_id)
);

CREATE INDEX active_wake_at_idx ON sagas.active (saga, wake_at);

-- +goose Down
DROP SCHEMA sagas CASCADE;
