// Package browse serves the event log to operators over HTTP: any stream,
// or the global log, a page at a time by revision or position, forwards or
// backwards, each event with its data and metadata; and the events of one
// correlation near a position of the log. It reads through the
// eventstore port only (the global log backwards through
// eventstore.BackwardsReader), so it shows the same on either adapter.
//
// It is an admin tool: cmd/orderflow mounts it at Prefix behind the admin
// role. Every page is bounded (MaxCount events; a correlation search reads
// at most CorrelationWindow events on each side of its position), so one
// request does bounded work however long the log.
package browse
