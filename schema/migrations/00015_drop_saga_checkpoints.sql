-- +goose Up
-- sagas.checkpoints held the saga intake's position in the global log until
-- the intake became the projections consumer fulfillment_intake (00011),
-- which keeps it in projections.checkpoints; nothing has written or read it
-- since.
DROP TABLE sagas.checkpoints;

-- +goose Down
CREATE TABLE sagas.checkpoints (
    name        text        PRIMARY KEY,
    commit_pos  bigint      NOT NULL,
    prepare_pos bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
