// Package esdb provides the EventStoreDB implementation of the eventstore
// port: a Store built on the official v4 gRPC client
// (github.com/EventStore/EventStore-Client-Go/v4/esdb). It is the production
// event store; eventstore/pg is the other adapter, and both are held to the
// contract suite in eventstore/eventstoretest.
//
// # Mapping
//
// A port stream is an EventStoreDB stream of the same name, a port
// Position is EventStoreDB's $all position (commit, prepare), and every event
// is stored as JSON with the caller's id and the encoded eventstore.Metadata
// as its user metadata. System events — those in a stream whose name starts
// with "$" or whose type starts with "$" — are EventStoreDB's own bookkeeping
// (statistics, stream metadata, tombstones) and are invisible to ReadAll,
// Head and Subscribe. The port rejects stream names and event types that
// start with "$", so no event of ours is ever mistaken for one.
//
// # Idempotency and partial overlap
//
// EventStoreDB deduplicates by event id, but not the way the port promises:
//
//   - With an exact expected revision (or NoStream) that is behind the
//     stream, the server compares the batch with the events stored right
//     after that revision: all equal is an idempotent success, the first one
//     different is a wrong expected version, and a later one different is
//     "corrupted idempotency", also reported as a wrong expected version.
//   - With Any or StreamExists it looks each id up in a bounded in-memory
//     cache of recent commits. If the batch's first id is unknown (a new
//     event, or one the cache forgot after a restart) the whole batch is
//     written again — stored ids are duplicated instead of reported as a
//     partial overlap.
//   - An idempotent success may carry no log position (older servers).
//
// So Append reads the end of the stream first (the batch length plus
// Config.DedupWindow events) and compares ids itself, whatever the expected
// revision. All of the batch found there, in order and at consecutive
// revisions, returns the original AppendResult without writing; some of it
// found returns an error wrapping eventstore.ErrPartialOverlap without
// writing. With Any or StreamExists, when none of the batch is in that
// window and the stream goes on below it, Append looks the batch's ids up
// in the rest of the stream and decides the same way: a retry of any age is
// recognised. The Store keeps the ids of such streams in a bounded index
// (maxIndexedIDs ids, least recently used streams forgotten first; stored
// events never change), so a process reads each event of them once and
// then only what was appended since; a stream too long for the index is
// read whole on every such append. The callers that use Any append to short
// streams or rarely: the saga intake (a fulfillment-{orderId} stream holds
// tens of events, inside the window) and snapshot writes (a snapshot stream
// grows by one snapshot per so many events of its aggregate). Otherwise the
// expected revision is checked against what was read and the write goes
// ahead:
//
//   - Any and StreamExists are sent pinned to the revision just read (as
//     that exact revision, or NoStream), so nothing can slip in between the
//     check and the write. If the stream moved meanwhile, Append looks
//     again; after a bounded number of attempts it sends them unpinned and
//     relies on the server's own check.
//   - Exact(n) and NoStream are sent as they are when the stream is where
//     they expect it, or when the batch's place (revision n+1, or 0) lies
//     below the window read: the server then settles a deep retry by
//     comparing ids at that place. A wrong expected version is followed by
//     a read of that place, to tell a plain conflict (none of the batch
//     there) from a partial overlap (some of it) or a retry that landed
//     meanwhile (all of it: the original result).
//   - Otherwise the expectation fails on what was read, and Append returns
//     a *eventstore.ConflictError with the actual revision, writing nothing.
//
// A successful write whose result carries no valid position (an idempotent
// write on an older server) is completed by reading the event at the
// returned revision. The cost of all this is one read before each write,
// and for Any and StreamExists on a stream longer than the window, a read
// of what the index of ids lacks.
//
// What remains best-effort: with an exact expected revision or NoStream, a
// batch stored deeper in the stream than the window, and not where its
// expected revision puts it, is not recognised; ids stored in another
// stream are not detected at all, because EventStoreDB has no index by
// event id.
//
// # Subscriptions and supervision
//
// Subscribe runs SubscribeToAll with a server-side stream-name filter
// ("^C(-|$)" for category C, "^[^$]" for every user stream) from the
// checkpoint, exclusive. A goroutine receives events into a bounded channel
// and Next hands them out in batches. The server also sends checkpoints on
// a filtered subscription: while catching up, between pages of the search
// window (32 events considered) once a checkpoint interval of them has
// passed, at the last event it sent or where the page began, and none at
// the end of the log; live, every interval of events considered. They
// travel in the same channel, in order, and become the subscription's
// Checkpoint (and, with SubscribeOptions.Checkpoints, a batch without
// events) when they lie beyond the last event. When the subscription
// drops, the goroutine subscribes again from the last position it queued,
// event or checkpoint, with capped exponential backoff; events at or
// before that position are dropped, so a resubscription neither skips nor
// repeats an event, nor scans again what a checkpoint passed.
//
// # Errors
//
// The server's answers map onto the port's errors: a batch over its
// maximum append size (InvalidArgument, "Maximum Append Size ... Exceeded")
// wraps eventstore.ErrTooLarge; Unavailable, a closed connection, a
// deadline (the client's own is 10 s unless the connection string sets
// defaultDeadline) and NotLeader wrap eventstore.ErrUnavailable, and so
// does an append the server ended while the client was still sending it:
// the client then reports io.EOF and drops the server's status, and as the
// batch never reached the server whole, nothing was written. The server
// refuses a batch over its maximum append size that way too, partway
// through, so Append refuses such a batch itself before sending it, held
// to Config.MaxAppendSize or the limit a refusal from the server named
// (only a server whose limit is below both can still make one a passing
// outage rather than ErrTooLarge). NotLeader
// comes from a follower asked for a write: the v4 client then connects to
// the leader the answer names, whatever its NodePreference, but does not
// repeat the call; the Store repeats it once, on the leader (a follower
// refuses before writing anything). NodePreference only chooses the node
// the client connects to after discovery: the v4.2 client puts its
// "requires-leader" header on the call's incoming rather than outgoing
// gRPC metadata, so the server never receives it; whether a follower then
// forwards a write to the leader or answers NotLeader is the server's
// choice, and the Store handles both. A subscription gets the server's gRPC
// status as it is, not converted by the client; it goes through the same
// mapping, so that access denied or bad credentials end it with an error
// from Next instead of resubscribing forever. The v4 client closes
// itself for good after its discovery attempts fail; the Store then builds a
// new client from the same configuration, for subscriptions and every other
// call alike.
//
// # Server requirements
//
// Positions of events read from a stream are filled in from EventStoreDB
// 22.6 on (EventStore pull request 3459; use 22.10 LTS or newer). Older
// servers leave them unset: ReadStream then returns zero positions and
// Append cannot return the position of a retried batch. The contract's
// largest event (1 MiB of data and metadata) is over the server's default
// maximum append size of 1 MiB, as the server adds twice the length of the
// event type: run it with a larger EVENTSTORE_MAX_APPEND_SIZE (2 MiB is
// plenty), which also bounds the size of a whole batch. Reading $all needs
// an account in the $admins group on a secure server.
package esdb
