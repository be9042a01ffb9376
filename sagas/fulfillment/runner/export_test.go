package runner

import "context"

// Test-only access to the runner's seams.

// KeepLeasesOnStop makes r's Run return without releasing its partition
// leases or its heartbeat, as a crash would (the intake's lease is the
// projections runtime's, released as it stops). It must be called before
// Run.
func KeepLeasesOnStop(r *Runner) { r.hooks.keepLeases = true }

// SetBeforeLeaseTick makes r's lease keeper call f at the start of every
// round of renewals; an f that blocks stalls them, as a paused process
// would. It must be called before Run.
func SetBeforeLeaseTick(r *Runner, f func(ctx context.Context)) { r.keeper.beforeTick = f }

// DriveUnfenced drives the saga of order id without any lease, for tests
// that play the intake and the scheduler themselves with no runner
// running.
func DriveUnfenced(ctx context.Context, r *Runner, id string) error { return r.drive(ctx, nil, id) }

// PartitionOf is the partition, among n, of the saga of order id.
func PartitionOf(id string, n int) int { return partitionOf(id, n) }
