// Package origin records which event store's log the state orderflow
// keeps in PostgreSQL follows, and refuses to go on with another.
//
// A log position means something only in the log it came from. The
// checkpoints of the read models and consumers (projections.checkpoints,
// among them the saga intake's and the products read model the price
// catalog resumes from), the running sagas (sagas.active, whose streams
// are in the log) and the stored Idempotency-Key responses
// (api.idempotency, which carry positions and ids of events in the log)
// all follow one event store. Switched to the other backend (PostgreSQL
// <-> EventStoreDB), or handed the same one wiped, they would skip or
// re-apply events without a word. So each of them records the identity
// of its event store (eventstore.Identity): a column of every checkpoint,
// one row for the sagas and one for the API's idempotency store.
//
// Check, at start-up, records the identity where none is recorded yet
// (state written before identities were recorded is adopted by the first
// start) and returns a *MismatchError, which says what happened and how
// to reset, when any differs. The projection runtime makes the same
// check for a checkpoint whenever a runner starts. Adopt and the
// projection runtime's ResetForeign are the reset: what came from
// another event store is cleared, to be derived again from this one's
// log, and this one's identity is recorded.
package origin
