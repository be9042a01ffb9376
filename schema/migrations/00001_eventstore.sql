-- +goose Up
-- The PostgreSQL event store. Every event is one row. Its place in the global
-- log is (transaction_id, position): readers only read events whose
-- transaction is older than the oldest transaction still running
-- (pg_snapshot_xmin), so an event that commits late can never be skipped,
-- while appends stay concurrent.
CREATE SCHEMA eventstore;

CREATE TABLE eventstore.events (
    position       bigint      GENERATED ALWAYS AS IDENTITY,
    transaction_id xid8        NOT NULL DEFAULT pg_current_xact_id(),
    event_id       uuid        NOT NULL,
    stream_id      text        NOT NULL,
    category       text        NOT NULL,
    revision       bigint      NOT NULL,
    type           text        NOT NULL,
    data           bytea       NOT NULL,
    metadata       bytea       NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_pkey PRIMARY KEY (transaction_id, position),
    CONSTRAINT events_event_id_key UNIQUE (event_id),
    CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
);

CREATE INDEX events_category_idx ON eventstore.events (category, transaction_id, position);

-- append stores a batch at the end of a stream in one round trip, telling
-- a retried batch from a conflict. Appends take a leaner statement first
-- (eventstore/pg's appendBatchSQL) and come here only when that one reports
-- a conflict or a unique-key violation.
-- p_expected: -1 any, -2 no stream, -3 stream exists, n >= 0 exact revision.
-- status: 0 appended, 1 wrong expected revision (revision = actual, NULL when
-- the stream does not exist), 2 the batch was already stored (the original
-- result is returned), 3 the batch partially overlaps stored events.
-- +goose StatementBegin
CREATE FUNCTION eventstore.append(
    p_stream   text,
    p_expected bigint,
    p_ids      uuid[],
    p_types    text[],
    p_data     bytea[],
    p_metadata bytea[],
    OUT status      smallint,
    OUT revision    bigint,
    OUT commit_pos  xid8,
    OUT prepare_pos bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_found       int;
    v_same_stream boolean;
    v_dmin        bigint;
    v_dmax        bigint;
    v_current     bigint;
BEGIN
    -- "= ANY" keeps the cached generic plan on the event_id index.
    SELECT count(*), bool_and(e.stream_id = p_stream),
           min(e.revision - array_position(p_ids, e.event_id)),
           max(e.revision - array_position(p_ids, e.event_id))
      INTO v_found, v_same_stream, v_dmin, v_dmax
      FROM eventstore.events e
     WHERE e.event_id = ANY (p_ids);
    IF v_found > 0 THEN
        IF v_found = cardinality(p_ids) AND v_same_stream AND v_dmin = v_dmax THEN
            SELECT 2, e.revision, e.transaction_id, e.position
              INTO status, revision, commit_pos, prepare_pos
              FROM eventstore.events e
             WHERE e.event_id = p_ids[cardinality(p_ids)];
        ELSE
            status := 3;
        END IF;
        RETURN;
    END IF;

    SELECT e.revision INTO v_current
      FROM eventstore.events e
     WHERE e.stream_id = p_stream
     ORDER BY e.revision DESC
     LIMIT 1;
    IF NOT (p_expected = -1
            OR (p_expected = -2 AND v_current IS NULL)
            OR (p_expected = -3 AND v_current IS NOT NULL)
            OR (p_expected >= 0 AND v_current IS NOT DISTINCT FROM p_expected)) THEN
        status := 1;
        revision := v_current;
        RETURN;
    END IF;

    WITH inserted AS (
        INSERT INTO eventstore.events (event_id, stream_id, category, revision, type, data, metadata)
        SELECT i.id, p_stream, split_part(p_stream, '-', 1), coalesce(v_current, -1) + i.ord,
               p_types[i.ord], p_data[i.ord], p_metadata[i.ord]
          FROM unnest(p_ids) WITH ORDINALITY AS i(id, ord)
         ORDER BY i.ord
        RETURNING events.position
    )
    SELECT max(inserted.position) INTO prepare_pos FROM inserted;
    status := 0;
    revision := coalesce(v_current, -1) + cardinality(p_ids);
    commit_pos := pg_current_xact_id();
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP SCHEMA eventstore CASCADE;
