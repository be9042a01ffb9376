// Package pg is the PostgreSQL adapter of the event-store port
// (package eventstore), built on pgx. It is the default store and the one CI
// runs.
//
// # How it never skips an event
//
// Every event row records the id of the transaction that wrote it
// (pg_current_xact_id). Its global position is the pair (transaction id,
// sequence). Readers of the global log only return events whose transaction
// id is below the oldest transaction still running (pg_snapshot_xmin of the
// reader's snapshot), in (transaction id, sequence) order. Every transaction
// below that horizon has ended, so no event can later appear before a
// position a reader has passed: late commits hold readers back for a moment
// instead of being skipped; the horizon is the cluster's, so a write
// transaction left open in any database of the cluster holds them back
// until it ends. Appends stay fully concurrent and PostgreSQL's group
// commit keeps working.
//
// One append is one round trip in autocommit. An append that finds a
// transaction slot free and no one queued is written at once, from the
// caller's goroutine, by a prepared statement that checks the expected
// revision and inserts; appends that arrive while every slot is busy queue
// up and are written together: their statements sent in one round trip and
// committed as one implicit transaction (group commit), streams in name
// order so that two group commits never deadlock. Two appends racing for
// the same revision meet on the (stream_id, revision) unique key. Whenever a statement inserts nothing or hits a unique key,
// the append re-runs alone through the eventstore.append SQL function,
// which tells a retried batch from a conflict and from a partial overlap.
//
// Subscriptions poll; LISTEN/NOTIFY only wakes them early. An append wakes
// the subscribers of its own process that follow its category (or every
// category) at once, and those of other processes
// through NOTIFY, at most one every 20 ms: an append that finds one due
// carries it in its own statement (delivered at its commit, at no extra
// round trip or commit); an append that carried none is announced within
// 25 ms, by a later append's or by one the store sends on its own. A store
// listens for other processes' appends once a subscription of its own
// waits for events, and lets its own connections' NOTIFYs pass.
package pg
