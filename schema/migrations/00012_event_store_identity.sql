-- +goose Up
-- Which event store's log the state kept here follows (package
-- eventstore/origin; the identity is eventstore.Identity: a random id and
-- its creation time, the one event of the stream eventstore.identity).
-- Positions mean something only in the log they came from: after the
-- backend is switched (PostgreSQL <-> EventStoreDB) or the event store is
-- wiped, a checkpoint would skip or re-apply events. `orderflow serve`
-- compares these with its event store's identity at start-up, and the
-- projection runtime whenever a runner starts, and stop on a mismatch.
--
-- Every place a log position is kept:
--   projections.checkpoints  every read model's and consumer's checkpoint
--                            (the saga intake fulfillment_intake, the
--                            products read model the price catalog resumes
--                            from): a column per row, since a rebuild
--                            moves one checkpoint to another log.
--   projections.dead_letters, projections.rebuilds, the read models'
--                            own position columns: they belong to a
--                            checkpoint's generation and go with it.
--   sagas.active             running sagas, whose streams are in the log:
--                            one row for the schema.
--   api.idempotency          stored responses, which carry positions and
--                            ids of events in the log: one row for the
--                            schema.
--   sagas.checkpoints        no longer written (00011): nothing to record.
-- NULL, or no row, means not recorded yet: rows written before this
-- migration are adopted by the first start after it, which records its
-- event store's identity.
ALTER TABLE projections.checkpoints
    ADD COLUMN event_store_id      uuid,
    ADD COLUMN event_store_created timestamptz;

CREATE TABLE sagas.event_store (
    only_row    boolean     PRIMARY KEY DEFAULT true CHECK (only_row),
    id          uuid        NOT NULL,
    created     timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api.event_store (
    only_row    boolean     PRIMARY KEY DEFAULT true CHECK (only_row),
    id          uuid        NOT NULL,
    created     timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE api.event_store;
DROP TABLE sagas.event_store;
ALTER TABLE projections.checkpoints
    DROP COLUMN event_store_created,
    DROP COLUMN event_store_id;
