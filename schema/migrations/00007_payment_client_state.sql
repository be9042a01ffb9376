-- +goose Up
-- What each process's payment provider client last reported about its
-- resilience machinery (circuit breaker, bulkhead, recent failures), so
-- that the admin API, which may run in another process, can show it.
-- Package paymentprovider/report writes and reads it.
CREATE TABLE sagas.payment_client_state (
    owner       text        PRIMARY KEY,
    state       jsonb       NOT NULL,
    reported_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE sagas.payment_client_state;
