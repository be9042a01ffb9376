-- +goose Up
-- The saga's intake follows the log on the projections runtime, as the
-- consumer fulfillment_intake: its checkpoint moves from sagas.checkpoints
-- to projections.checkpoints (generation 1, version 1), so that it goes on
-- where it stopped, and the lease of the old intake is dropped, which
-- stops a runner of the previous version from following the log too.

INSERT INTO projections.checkpoints (name, generation, version, commit_pos, prepare_pos)
SELECT 'fulfillment_intake', 1, 1, commit_pos, prepare_pos FROM sagas.checkpoints WHERE name = 'fulfillment'
ON CONFLICT (name) DO NOTHING;
DELETE FROM sagas.checkpoints WHERE name = 'fulfillment';
DELETE FROM leases.leases WHERE name = 'saga/fulfillment/intake';

-- +goose Down
INSERT INTO sagas.checkpoints (name, commit_pos, prepare_pos)
SELECT 'fulfillment', commit_pos, prepare_pos FROM projections.checkpoints WHERE name = 'fulfillment_intake'
ON CONFLICT (name) DO UPDATE SET commit_pos = excluded.commit_pos, prepare_pos = excluded.prepare_pos, updated_at = now();
DELETE FROM projections.dead_letters WHERE projection = 'fulfillment_intake';
DELETE FROM projections.checkpoints WHERE name = 'fulfillment_intake';
DELETE FROM leases.leases WHERE name = 'projection/fulfillment_intake';
