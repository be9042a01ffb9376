// Package projections runs read-model projections: it feeds the global event
// log to each Projection, keeps its read model and checkpoint consistent,
// parks the events it cannot apply, reports its status, and rebuilds it
// from history without downtime. The read models themselves live in
// subpackages (projections/orderview, ...); this package is their runtime,
// and Manager its entry point.
//
// # Generations and views
//
// A projection's tables live in a schema of their own per generation,
// proj_<name>_<generation>. Readers never name that schema: they query the
// views of the stable schema readmodel (readmodel.<table>), which point at
// the live generation. A rebuild builds generation g+1 beside the live g and
// then re-points the views in one transaction. Readers should name the
// columns they select: when a new version of a projection changes a
// table's columns, a statement prepared against the old view (SELECT *)
// fails once with "cached plan must not change result type" before pgx
// prepares it again.
//
// # Exactly-once effect
//
// A runner consumes the global log from the projection's checkpoint through
// eventstore.Store.Subscribe. For each batch it writes the read-model rows,
// any parked events and the new checkpoint in one PostgreSQL transaction, so
// a crash at any point loses or repeats nothing: the next runner resumes
// from the checkpoint that was committed with the data. Events at or before
// the checkpoint, such as a subscription redelivering them, are skipped.
//
// Apply queues its statements on a Writer; the runner sends a whole batch's
// statements in one round trip, so a batch costs a few round trips, not one
// per event.
//
// # Poison events
//
// When a batch fails because of an event, it is rolled back and applied
// again in a new transaction, event by event, each under a savepoint; an
// event that still fails is parked in projections.dead_letters with the
// reason, and the runner goes on. Errors that say nothing about the event
// (the context ended, the connection was lost, a deadlock or serialization
// failure, a missing table...) are not parked: the runner stops, notes the
// error (status "failed"), and starts again from its checkpoint after a
// backoff. Manager.Redrive applies parked events again.
//
// # One writer per projection
//
// Several processes may run the same projections. Exactly one of them owns
// each projection at a time, by a lease of package platform/lease (named
// projection/NAME) that it renews inside every batch transaction,
// conditioned on its tenure (owner and epoch) still being current; the
// others stand by and take the lease over once it has expired (by the
// database's clock) or been released (at once: they hear of the release on
// a lease.Waker). Every batch transaction first locks the
// projection's checkpoint row, writes, then extends the lease and advances
// the checkpoint in one statement that does neither unless this process
// still owns the lease and the checkpoint is still where the batch started
// from. A former owner that stalled while its lease was taken over
// therefore cannot commit; and since a batch transaction may not idle
// longer than the lease lasts, a hung owner cannot hold its locks past it
// either. Redrives and rebuild swaps lock the same checkpoint row, so they
// never interleave with a batch.
//
// # Rebuilds
//
// Manager.Rebuild replays the whole log into a new generation while the
// live one keeps serving and following the log, and when the new one has
// caught up swaps them in one transaction. A rebuild interrupted before the
// swap commits leaves the live generation untouched; the next one starts
// afresh. A projection whose Version differs from the one its live
// generation was built with is rebuilt that way when Manager.Run starts.
//
// # One event store
//
// A checkpoint's position means something only in the log it came from,
// so every checkpoint records the identity of that log's event store
// (eventstore.Identity, package eventstore/origin): a consumer's first
// checkpoint and a rebuild's swap record the store's identity. A runner
// that finds a checkpoint recording another one does not follow the log:
// Run stops and returns the *origin.MismatchError, and
// Manager.ResetForeign forgets such projections so that Run rebuilds
// them from the store's log.
//
// # Starting from a projection's state
//
// ReadLive lets a consumer outside the runtime (the command side's price
// catalog) start from what a projection has computed: it reads the live
// generation's tables together with its checkpoint and the streams of its
// parked events in one repeatable-read transaction, and the consumer
// follows the log from that checkpoint.
package projections
