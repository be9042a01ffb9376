// Package projections runs read-model projections: it feeds the global event
// log to each Projection, keeps its read model and checkpoint consistent,
// parks the events it cannot apply, reports its status, and rebuilds it
// from history without downtime. The read models themselves live in
// subpackages (projections/orderview, ...); this package is their runtime.
//
// # Generations and views
//
// A projection's tables live in a schema of their own per generation,
// proj_<name>_<generation>. Readers never name that schema: they query the
// views of the stable schema readmodel (readmodel.<view>), which point at
// the live generation. A rebuild builds generation g+1 beside the live g and
// then re-points the views in one transaction.
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
// # Poison events
//
// When a batch fails, it is rolled back and retried event by event, each
// under a savepoint; an event that still fails is parked in
// projections.dead_letters with the reason, and the runner goes on. Errors
// that say nothing about the event (the context ended, the connection was
// lost, a deadlock or serialization failure, a missing table...) are not
// parked: the runner stops and starts again from its checkpoint, and its
// status says it failed. Manager.Redrive applies parked events again.
//
// # One writer per projection
//
// Several processes may run the same projections. Exactly one of them owns
// each projection at a time, by a lease row in projections.leases that it
// extends inside every batch transaction, conditioned on still being the
// owner; the others stand by and take the lease over once it has expired.
// A former owner that stalled while its lease was taken over cannot commit:
// the condition fails, and its transaction rolls back. Every batch also
// locks the checkpoint row first and updates it only from the generation
// and position it started from, so two writers can never both advance it.
//
// # Rebuilds
//
// Manager.Rebuild replays the whole log into a new generation while the
// live one keeps serving and following the log, and when the new one has
// caught up swaps them in one transaction (see rebuild.go). A projection
// whose Version differs from the one its live generation was built with is
// rebuilt that way when Manager.Run starts.
package projections
