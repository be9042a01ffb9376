// Package runner runs the order fulfillment saga of package fulfillment:
// it starts a saga for every placed order, drives every running saga to
// its end, performing its steps and recording their outcomes in the
// saga's stream, and survives restarts at any point. Package fulfillment
// decides (Next); this package does the I/O: the event store, PostgreSQL
// (the sagas schema), leases and the payment provider client
// (ProviderPayments).
//
// # Glossary
//
//   - Partition: sagas are hashed by order id into a fixed number of
//     partitions (Config.Partitions); each is driven by one runner at a
//     time.
//   - Lease, term, epoch: a runner owns a partition by a
//     lease of package platform/lease. Its epoch grows on every
//     acquisition; a term is one tenure of it in this process, valid until
//     a deadline a quarter of the TTL before the database could let the
//     lease go, and moved forward only by a successful renewal.
//   - Intake: the subscription to order events, from a durable checkpoint,
//     that starts sagas (a placed order) and asks them to compensate (a
//     customer's cancellation). It is a consumer of the projections
//     runtime (Runner.Intake, projections.Consumer): one runner at a time
//     follows it, by the runtime's lease, with its checkpoint, dead
//     letters and status.
//   - Drive: run one saga as far as it can go now (Runner.Drive): decide,
//     perform, record, until the saga must wait or has ended.
//   - Step: one thing the saga does (fulfillment.Step: reserve a line,
//     charge, schedule the shipment...), performed with an idempotency key
//     derived from the order and the step.
//   - Record: the event (fulfillment.step_recorded) that says how a step
//     ended: done, rejected, parked or failed.
//   - Park: a saga that must wait (a parked or failed step's retry time,
//     or its payment deadline) is kept in sagas.active with its wake-up
//     time; a parked step is one that could not run now (the provider's
//     circuit is open, our queue to it is full).
//   - Wake-up: the scheduler claims the sagas of its partitions whose
//     wake-up time has come and drives them; the intake wakes the sagas it
//     starts or cancels at once.
//   - Compensation: undoing the steps done, in reverse (cancel the
//     shipment, refund, release the stock, cancel the order), after a
//     rejection, a customer's cancellation or the payment deadline.
//   - Deadline: the payment deadline, by which the payment must be
//     captured or, when the provider is to blame, the saga compensates
//     (fulfillment.Next decides it); not to be confused with a term's
//     deadline, the end of a lease's tenure in this process.
//
// # One owner per partition
//
// Several runners may share a database. Each partition is owned by one runner at a time. A runner drives only the
// sagas of the partitions it owns; it renews its leases every fifth of
// Config.LeaseTTL, takes over those of a runner that died or stalled once
// they expire, spreads the partitions evenly over the live runners, and
// releases its leases when it stops, so that another runner takes over at
// once.
//
// A driver checks its term before every step's effect and every record,
// its context ends with the term, and its writes to sagas.active are
// conditioned on the lease's epoch in the
// database; the saga's stream is appended with expected revisions. An
// effect already on its way when the term ends (a payment request the
// provider has received) cannot be recalled: the per-step idempotency
// keys make its repetition by the next owner harmless. docs/architecture.md
// has the whole reasoning and its limits.
package runner
