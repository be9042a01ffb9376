// Package lease gives a named resource (a projection, a saga partition, a
// saga's intake) one owner at a time, with fencing, on PostgreSQL. It is
// the one lease of orderflow: everything that must have a single active
// owner among several processes takes one here.
//
// A lease is a row of leases.leases: the resource's name, its owner, its
// epoch and when it expires, by the database's clock (the processes' clocks
// need not agree). A Holder takes, renews and releases leases under one
// owner name; owner names must be unique among live processes
// (platform/instance makes them so). It guarantees:
//
//   - Acquire takes a lease only when it is free (never taken, expired, or
//     released) or already the holder's own. Among concurrent acquirers of
//     a free lease exactly one wins: the statement locks the row and checks
//     it again. A lease held and renewed is never taken.
//   - Every acquisition increases the lease's epoch by one, a renewal
//     never does: a tenure is identified by (name, owner, epoch), and no
//     two tenures of a name share an epoch.
//   - Renew extends by the TTL only the tenures still current; a tenure
//     lost (taken over after it expired) is never extended again.
//   - Release ends a current tenure at once, so that a standby takes the
//     lease without waiting for it to expire; releasing a tenure already
//     lost changes nothing. Release talks to the database: the owner must
//     release before it closes the pool or connection it passes, and only
//     once nothing writes under the tenure any more.
//
// Fencing, for a holder that stalls (a GC pause, a frozen VM, a network
// partition) and wakes up after its lease was taken over, is two-fold:
//
//   - In the database. Fence is a SQL condition that holds only while a
//     tenure is current and unexpired, and locks the lease row until the
//     writing transaction ends: a takeover waits for that transaction, so a
//     fenced write either commits before the takeover or changes nothing.
//     RenewSQL renews a tenure inside the writer's own transaction, with
//     the same effect (a batch that renews its lease as it commits).
//   - In the process. A Term is one tenure as the holder sees it: valid
//     until a deadline measured on the process's monotonic clock from
//     before the acquiring or renewing statement was sent, TTL minus Margin
//     later. The database starts the TTL only when it runs the statement,
//     later than that, so a Term ends at least Margin before anybody else
//     can acquire the lease, as long as the two clocks' rates differ by
//     less than Margin over a TTL. Work with effects outside the database
//     (a payment request) checks the Term before each effect and runs in
//     the Term's context, which ends with it. An effect already sent when
//     the Term ends cannot be recalled: such effects must be idempotent.
//
// A standby takes over a crashed or stalled holder's lease within its TTL
// plus its polling interval after the last renewal, and a released lease at
// once: Release announces it with a NOTIFY on ReleasedChannel, which a
// Waker (one listening connection per process component) passes on to the
// waiters of that lease (Await, or a keeper's own Subscribe). The
// notification is only a hint; polling stays the truth, so a notification
// lost while the Waker reconnects costs at most a poll interval.
package lease
