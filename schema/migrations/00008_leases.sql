-- +goose Up
-- One table for every lease (package platform/lease): a projection's, a
-- saga partition's, a saga's intake. A lease names a resource and says who
-- owns it until when, by the database's clock. epoch is the fencing token:
-- it grows by one every time the lease is acquired (a takeover, or the
-- owner taking it back after losing it), never when it is renewed, so a
-- write conditioned on (name, owner, epoch) cannot succeed for a former
-- tenure.
CREATE SCHEMA leases;
CREATE TABLE leases.leases (
    name        text        PRIMARY KEY,
    owner       text        NOT NULL,
    epoch       bigint      NOT NULL DEFAULT 1,
    expires_at  timestamptz NOT NULL,
    acquired_at timestamptz NOT NULL DEFAULT now()
);

-- Leases live for seconds; those held now are taken again within a TTL.
DROP TABLE projections.leases;
DROP TABLE sagas.leases;

-- The events per second a projection's owner applied over its recent
-- window, for status reports: it used to sit in the lease row.
ALTER TABLE projections.checkpoints ADD COLUMN rate double precision NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE projections.checkpoints DROP COLUMN rate;
CREATE TABLE sagas.leases (
    saga        text        NOT NULL,
    partition   integer     NOT NULL CHECK (partition >= -1),
    owner       text        NOT NULL,
    epoch       bigint      NOT NULL DEFAULT 1,
    expires_at  timestamptz NOT NULL,
    acquired_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (saga, partition)
);
CREATE TABLE projections.leases (
    name        text             PRIMARY KEY,
    owner       text             NOT NULL,
    expires_at  timestamptz      NOT NULL,
    acquired_at timestamptz      NOT NULL DEFAULT now(),
    rate        double precision NOT NULL DEFAULT 0
);
DROP TABLE leases.leases;
DROP SCHEMA leases;
