// Package command runs commands against event-sourced aggregates for every
// bounded context.
//
// Within a Handler, each stream that has commands to run gets a single
// writer: Execute queues the command, and the writer decides the queued
// commands in order on the stream's state kept in memory, each on the
// state the ones before it left, and appends the events of all of them in
// one append with the revision it saw. Each command gets its own result or
// domain error. When another process appended meanwhile, the writer reads
// the events after its revision and decides again, as long as a caller
// waits (MaxConflicts is a safety net); a command that gives up is logged
// at WARN and reported as OutcomeGaveUp.
//
// A command that carries an idempotency key gets event ids derived from
// the key and the stream, so a retry after a lost reply returns the
// original result without writing anything: the writer recognises the
// stream's recent keyed events (DefaultWindow of them), and the event
// store recognises older ones by their ids.
//
// States stay small (each aggregate keeps what its rules need), are kept
// in memory between commands, and, for an aggregate with a Snapshot, are
// persisted every Snapshot.Every events to the stream SnapshotStream(s),
// so that loading a stream cold reads the latest snapshot and the events
// after it.
package command
