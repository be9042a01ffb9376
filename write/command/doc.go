// Package command runs commands against event-sourced aggregates for every
// bounded context: load the stream, fold it into state, decide, and append
// the new events with the expected revision, reloading and deciding again
// when a concurrent command got there first.
//
// A command that carries an idempotency key gets event ids derived from the
// key and the stream, so a retry after a lost reply finds its events already
// stored and returns the original result without writing anything.
package command
