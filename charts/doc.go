// Package charts serves the system's recent past as series over time, for
// the operator console's charts: orders placed, completed and cancelled,
// saga steps parked and failed, each projection's lag, the payment
// client's calls by outcome and the state of its circuit breakers, per
// interval (Step) over a window of up to Retention.
//
// Two sources, chosen per series:
//
//   - What the events say is counted from the read models at query time,
//     bucketed by the events' own times: orders placed from the orders read
//     model (placed_at), sagas completed and compensated and steps parked
//     and failed from the fulfillment history (at). These series are exact
//     (a function of the log, the same whichever process asks, with no
//     sampling) and cover any window the read models hold; the latest
//     intervals fill in as the projections catch up.
//   - What no event records is sampled by the Recorder every Step and kept
//     in charts.samples for Retention: each projection's lag (from the
//     projections' status) and the payment clients' calls by outcome and
//     circuit states (from what every saga process reports in
//     sagas.payment_client_state). One process records at a time, while
//     it holds the lease LeaseName (platform/lease), and every sample's
//     write is fenced by it; the clients' counters are summed over the
//     processes, each counted from where the previous sample saw it,
//     whichever process recorded that one.
//
// Handler serves a window of every series as JSON (Chart); cmd/orderflow
// mounts it at Path for admins only.
package charts
