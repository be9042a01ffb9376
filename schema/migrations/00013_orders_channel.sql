-- +goose Up
-- order.placed records the sales channel from schema version 2 on, and the
-- orders read model shows it in the column channel. Every generation of the
-- read model (the live one, and one a rebuild may be filling) gets the
-- column at once, so that readers of the new code find it without waiting
-- for a rebuild: its rows were all built from order.placed version 1,
-- which reads as the channel api (order.ChannelOfV1), the value given here.
-- The default stays so that a projector of the previous code still running
-- during an upgrade (it reads version 1 only) inserts the same value.
-- Generations the new code creates have the column without a default.
-- +goose StatementBegin
DO $$
DECLARE
    s   text;
    gen integer;
BEGIN
    FOR s IN SELECT schemaname FROM pg_tables WHERE tablename = 'orders' AND schemaname ~ '^proj_orders_[0-9]+$' LOOP
        EXECUTE format('ALTER TABLE %I.orders ADD COLUMN IF NOT EXISTS channel text NOT NULL DEFAULT %L', s, 'api');
    END LOOP;
    SELECT generation INTO gen FROM projections.checkpoints WHERE name = 'orders';
    IF gen IS NOT NULL AND to_regclass('readmodel.orders') IS NOT NULL THEN
        EXECUTE format('CREATE OR REPLACE VIEW readmodel.orders AS SELECT * FROM %I.orders', 'proj_orders_' || gen);
    END IF;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
    s   text;
    gen integer;
BEGIN
    DROP VIEW IF EXISTS readmodel.orders;
    FOR s IN SELECT schemaname FROM pg_tables WHERE tablename = 'orders' AND schemaname ~ '^proj_orders_[0-9]+$' LOOP
        EXECUTE format('ALTER TABLE %I.orders DROP COLUMN IF EXISTS channel', s);
    END LOOP;
    SELECT generation INTO gen FROM projections.checkpoints WHERE name = 'orders';
    IF gen IS NOT NULL AND to_regclass(format('%I.orders', 'proj_orders_' || gen)) IS NOT NULL THEN
        EXECUTE format('CREATE VIEW readmodel.orders AS SELECT * FROM %I.orders', 'proj_orders_' || gen);
    END IF;
END $$;
-- +goose StatementEnd
