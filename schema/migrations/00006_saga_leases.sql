-- +goose Up
-- One owner per partition of a saga's instances (package sagas/fulfillment).
-- A saga's instances are hashed into a fixed number of partitions; each
-- partition, and the saga's intake subscription, is owned by one runner at
-- a time through a lease row here, and a runner drives only the instances
-- of the partitions it owns.

-- The partition key of a running saga instance: the first four bytes of the
-- MD5 of its id, as an unsigned number. The partition is partition_key
-- modulo the deployment's partition count, which the runners know (it is
-- configuration, not data): the Go code computes the same key.
ALTER TABLE sagas.active
    ADD COLUMN partition_key bigint NOT NULL
        GENERATED ALWAYS AS (('x' || left(md5(saga_id), 8))::bit(32)::bigint) STORED;

-- Who owns what, until when by the database's clock. partition is a
-- partition of the saga's instances (0 .. count-1) or -1, the saga's intake
-- subscription. epoch is the fencing token: it grows by one every time the
-- lease is acquired (a takeover, or the owner taking it back after losing
-- it), never when it is renewed, so a write conditioned on (owner, epoch)
-- cannot succeed for a former tenure.
CREATE TABLE sagas.leases (
    saga        text        NOT NULL,
    partition   integer     NOT NULL CHECK (partition >= -1),
    owner       text        NOT NULL,
    epoch       bigint      NOT NULL DEFAULT 1,
    expires_at  timestamptz NOT NULL,
    acquired_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (saga, partition)
);

-- The runners alive, by their heartbeat: how many share the partitions,
-- and with which partition count (runners that disagree on it refuse to
-- run together).
CREATE TABLE sagas.runners (
    saga       text        NOT NULL,
    owner      text        NOT NULL,
    partitions integer     NOT NULL CHECK (partitions > 0),
    expires_at timestamptz NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (saga, owner)
);

-- +goose Down
DROP TABLE sagas.runners;
DROP TABLE sagas.leases;
ALTER TABLE sagas.active DROP COLUMN partition_key;
