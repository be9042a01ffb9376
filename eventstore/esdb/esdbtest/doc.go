// Package esdbtest is test scaffolding: an in-process stand-in that emulates
// EventStoreDB's gRPC Streams service closely enough to drive the official
// v4 client, and the eventstore/esdb adapter on top of it, where no
// EventStoreDB server runs. Passing against it is not verification against
// EventStoreDB: whenever EVENTSTORE_URL names a real server, tests use that
// server instead, and what the stand-in emulates is only as faithful as the
// reading of the server's source it was built from.
//
// What it emulates, from EventStoreDB's source (Streams.Append,
// IndexWriter.CheckCommit, Enumerator.AllSubscriptionFiltered, RpcExceptions)
// and the client's:
//
//   - appends with the server's expected-version and idempotency rules: an
//     exact expectation behind the stream compares the batch with the events
//     stored there; Any and StreamExists look ids up in a bounded cache of
//     recent commits that a restart empties (ForgetIdempotency);
//   - commit positions that differ from prepare positions: the events of one
//     append share the commit position of the commit record written after
//     them and each has the prepare position of its own record;
//   - the maximum append size (data, metadata and twice the event type's
//     length, summed over the batch; 1 MiB by default), refused with
//     InvalidArgument and the "maximum-append-size-exceeded" trailers;
//   - stream reads, $all reads (forwards inclusive, backwards exclusive of
//     the position given) and subscriptions to $all, which start after the
//     first record at or after their position;
//   - filtered subscriptions that send checkpoints: while catching up, after
//     a page of MaxSearchWindow considered events once the count reaches
//     MaxSearchWindow × CheckpointIntervalMultiplier, at the last event sent
//     in that page or else where the page began, never at the end of the
//     log; live, every interval of considered events at the last one; a
//     CaughtUp message when a subscription turns live and FellBehind when it
//     is made to fall behind (FallBehind);
//   - failures: NotLeader with the leader's endpoint in the trailers, as a
//     follower answers a write (StartFollower); Unavailable, Unauthenticated
//     and PermissionDenied answers (Fail); appends that take longer than
//     the client's deadline (DelayAppends); live subscriptions ended with a
//     status (EndSubscriptions).
//
// What it does not emulate: TLS and credentials (a secure server's
// authentication failures are injected with Fail), gossip and cluster
// discovery, persistent subscriptions, projections, stream metadata,
// deletion and truncation, and the server's own system events beyond a
// couple it writes at start.
package esdbtest
