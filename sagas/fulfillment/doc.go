// Package fulfillment is the order fulfillment saga: it takes every placed
// order through stock, payment and shipping, and compensates in reverse
// when a step fails. It holds the saga alone: its events and their codec
// (stored in fulfillment-{orderId}), its State and Evolve, its typed
// steps, Next, which decides purely what the saga does next (the payment
// deadline included), and Steps, which performs a step through small
// interfaces of the write side and the payment provider.
//
// Package runner beside it runs the sagas: it starts them from order
// events, drives them under leases and records what their steps did. Read
// models that decode saga events import this package only.
package fulfillment
