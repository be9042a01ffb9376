// Package fulfillment runs every placed order through stock, payment and
// shipping, compensating in reverse when a step fails: the order
// fulfillment saga. Its state is event-sourced in fulfillment-{orderId};
// Next decides the next step from it, purely, and a Runner performs the
// step with an idempotency key and records its outcome.
//
// # One owner per partition
//
// Several runners may share a database. Sagas are hashed by order id into
// a fixed number of partitions (Config.Partitions), and each partition, as
// well as the intake (the subscription to order events that starts and
// cancels sagas), is owned by one runner at a time through a lease of
// package platform/lease, whose epoch grows on every acquisition. A runner drives
// only the sagas of the partitions it owns; it renews its leases every
// fifth of Config.LeaseTTL, takes over those of a runner that died or
// stalled once they expire, spreads the partitions evenly over the live
// runners, and releases its leases when it stops, so that another runner
// takes over at once.
//
// A runner works under a lease only until a deadline a quarter of the TTL
// before the database could let the lease go, moved forward only by a
// successful renewal. A driver checks it before every step's effect and
// every record, its context ends with it, and its writes to sagas.active
// and the intake's checkpoint are conditioned on the lease's epoch in the
// database; the saga's stream is appended with expected revisions. An
// effect already on its way when the deadline passes (a payment request
// the provider has received) cannot be recalled: the per-step idempotency
// keys make its repetition by the next owner harmless. docs/architecture.md
// has the whole reasoning and its limits.
package runner
