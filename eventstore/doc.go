// Package eventstore is the port every part of orderflow uses to store and
// read events. Two adapters implement it: eventstore/pg (PostgreSQL, the
// default) and eventstore/esdb (EventStoreDB, production). Both are held to
// the one contract suite in eventstore/eventstoretest.
//
// # The contract
//
// Streams. Events live in streams named like "order-7f3c...". A stream name is
// 1 to 255 characters of letters, digits and "_.:@-", starting with a letter
// or a digit. The part before the first "-" is the stream's category ("order");
// a name without "-" is its own category. Revisions inside a stream count
// from 0 with no gaps.
//
// Append. Append(ctx, stream, expected, events...) stores the events at the
// end of the stream atomically, or none of them. It returns the revision of
// the last event written and its position in the global log. The expected
// revision is Any, NoStream, StreamExists or Exact(n); when the stream is not
// in that state Append returns a *ConflictError (errors.Is(err,
// ErrWrongExpectedRevision)) carrying the expected and, where known, the
// actual revision, and writes nothing.
//
// Idempotency. Event ids are chosen by the caller, deterministically where a
// retry must be safe. Appending again, with the same expected revision, a
// batch whose events are all already stored, in the same stream and order,
// returns the original AppendResult and writes nothing. A batch of which
// only some events are stored returns an error wrapping ErrPartialOverlap and
// writes nothing. Both are promised within one stream, at any age for Any
// and StreamExists, and for an exact revision or NoStream where that
// expectation puts the batch or near the end of the stream (EventStoreDB
// has no index by event id); PostgreSQL recognises an event id anywhere,
// at any age.
//
// Bad input writes nothing and returns an error wrapping ErrInvalid: an empty
// batch, an empty or malformed stream name, an empty event type or one
// starting with "$" (reserved for the store's own events), an event
// whose data or metadata is not JSON, an event over MaxEventSize, a nil event
// id, or an id repeated in the batch.
//
// Reads. ReadStream reads a stream forwards or backwards from a revision; a
// stream that has no events returns an error wrapping ErrStreamNotFound.
// ReadAll reads the global log forwards after a position. Head returns the
// position of the last event in the global log. Both adapters also read the
// global log backwards before a position (BackwardsReader; LogEnd is after
// the last event), which is not part of Store.
//
// The global log. Every event has a Position. Positions are totally ordered,
// each reader sees every committed event exactly once and in the same order,
// and an event never appears before one with a lower position.
//
// Subscriptions. Subscribe delivers every event after a checkpoint
// (exclusive; the zero Position means the start of the log), optionally only
// one category, first from history and then live, with neither a gap nor a
// duplicate at the switch. Any position a subscription hands out is a valid
// checkpoint to resume from: an event's, or its Checkpoint, which may lie
// beyond the last event delivered when the subscription has read past
// events it skips (another category; EventStoreDB's own events). A
// subscription made with Checkpoints set returns from Next with no event
// when only that checkpoint moved, so that a consumer of a rare category
// can save its progress instead of scanning the same events again after a
// restart. How far the checkpoint moves is the adapter's: EventStoreDB
// sends one every so many events considered (32 by default) and none at
// the end of the log while catching up; PostgreSQL moves it to the head of
// the log whenever a read of the category comes back short. A
// subscription ends when its context ends or when Close is called.
//
// Metadata. Each event carries Metadata (correlation id, causation id, acting
// user, W3C traceparent) that round-trips unchanged.
//
// Identity. Every log can be given an Identity, a random id and its
// creation time, stored as the one event of the stream IdentityStream:
// Identify reads it or, when the log has none, appends one with NoStream,
// so that every caller gets the same answer on every adapter. A log wiped
// and started again gets another. State that follows the log from a
// checkpoint records it (package eventstore/origin).
//
// Implementations are safe for concurrent use by multiple goroutines.
package eventstore
