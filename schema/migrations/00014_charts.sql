-- +goose Up
-- The series of the operator console's charts that no read model holds:
-- what the charts recorder (package charts) samples every interval, one
-- row per series and interval, kept for a couple of hours. at is the
-- start of the interval a sample describes, by the recording process's
-- clock: the counts of the calls made in it, or a state at its end.
CREATE SCHEMA charts;
CREATE TABLE charts.samples (
    at     timestamptz      NOT NULL,
    series text             NOT NULL,
    value  double precision NOT NULL,
    PRIMARY KEY (at, series)
);

-- The payment clients' counters the recorder last saw, by the process
-- that reported them (sagas.payment_client_state), so that the next
-- sample counts what changed since, whichever process records it.
CREATE TABLE charts.payment_counters (
    owner    text        PRIMARY KEY,
    counters jsonb       NOT NULL,
    seen_at  timestamptz NOT NULL
);

-- +goose Down
DROP SCHEMA charts CASCADE;
