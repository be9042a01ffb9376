-- +goose Up
-- The projection runtime (package projections). A projection's tables live
-- in one schema per generation, proj_<name>_<generation>; readers see them
-- through the views of the stable schema readmodel, which point at the live
-- generation. These tables hold the runtime's own state.
CREATE SCHEMA projections;
CREATE SCHEMA readmodel;

-- One row per projection that has a live generation: which one, built by
-- which version of the projection's code, and the checkpoint it has reached.
-- The row is written in the same transaction as the read-model rows it
-- accounts for. Positions are eventstore.Position (commit, prepare).
CREATE TABLE projections.checkpoints (
    name             text        PRIMARY KEY,
    generation       integer     NOT NULL CHECK (generation > 0),
    version          integer     NOT NULL,
    commit_pos       bigint      NOT NULL DEFAULT 0,
    prepare_pos      bigint      NOT NULL DEFAULT 0,
    -- recorded time of the last event applied
    last_recorded_at timestamptz,
    -- the readmodel views pointing at this generation
    views            text[]      NOT NULL DEFAULT '{}',
    -- why the runner last failed; cleared by its next committed batch
    last_error       text,
    error_at         timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Who may write a projection. A runner owns the projection while
-- expires_at (the database's clock) is in the future, and extends the lease
-- in every batch transaction, conditioned on still being the owner.
CREATE TABLE projections.leases (
    name        text             PRIMARY KEY,
    owner       text             NOT NULL,
    expires_at  timestamptz      NOT NULL,
    acquired_at timestamptz      NOT NULL DEFAULT now(),
    -- events per second the owner applied over its recent window
    rate        double precision NOT NULL DEFAULT 0
);

-- Progress of the rebuild in flight, if any, for status reports. The
-- rebuild itself is guarded by an advisory lock held for its duration.
CREATE TABLE projections.rebuilds (
    name        text             PRIMARY KEY,
    generation  integer          NOT NULL,
    version     integer          NOT NULL,
    owner       text             NOT NULL,
    commit_pos  bigint           NOT NULL DEFAULT 0,
    prepare_pos bigint           NOT NULL DEFAULT 0,
    done        bigint           NOT NULL DEFAULT 0,
    total       bigint           NOT NULL DEFAULT 0,
    rate        double precision NOT NULL DEFAULT 0,
    started_at  timestamptz      NOT NULL DEFAULT now(),
    updated_at  timestamptz      NOT NULL DEFAULT now()
);

-- Events a projection could not apply, parked so that it could go on. The
-- event itself stays in the log; this row says where to find it and why it
-- failed.
CREATE TABLE projections.dead_letters (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    projection  text        NOT NULL,
    generation  integer     NOT NULL,
    commit_pos  bigint      NOT NULL,
    prepare_pos bigint      NOT NULL,
    event_id    uuid        NOT NULL,
    stream      text        NOT NULL,
    revision    bigint      NOT NULL,
    type        text        NOT NULL,
    reason      text        NOT NULL,
    attempts    integer     NOT NULL DEFAULT 1,
    parked_at   timestamptz NOT NULL DEFAULT now(),
    retried_at  timestamptz,
    CONSTRAINT dead_letters_event_key UNIQUE (projection, generation, event_id)
);

CREATE INDEX dead_letters_position_idx ON projections.dead_letters (projection, generation, commit_pos, prepare_pos);

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
    s text;
BEGIN
    FOR s IN SELECT nspname FROM pg_namespace WHERE nspname ~ '^proj_[a-z][a-z0-9_]*_[0-9]+$' LOOP
        EXECUTE format('DROP SCHEMA %I CASCADE', s);
    END LOOP;
END
$$;
-- +goose StatementEnd
DROP SCHEMA readmodel CASCADE;
DROP SCHEMA projections CASCADE;
