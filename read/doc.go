// Package read serves orderflow's GraphQL query API: orders, products,
// customers, fulfillments and the projections' status, read from the views
// of the schema readmodel that the projections fill. The SDL is
// schema.GraphQL(); Handler serves it over HTTP.
//
// # Transport
//
// A request is POST with Content-Type application/json and a body
// {"query", "variables", "operationName"} (at most Limits.MaxBodyBytes), or
// GET with the same as URL parameters (variables as JSON). Anything wrong
// at the HTTP level (method, media type, size, malformed JSON or
// X-Min-Position) is answered with an RFC 9457 problem+json body. A
// document that cannot be run (a syntax or validation error, a limit
// exceeded, a variable whose value its type refuses, Time and Int64
// included) is answered 400 with a GraphQL response holding only errors;
// a document that ran is answered 200, its errors beside its data.
//
// # Limits
//
// Before any resolver runs, and so before any SQL, a document is refused
// when it is longer than Limits.MaxQueryBytes, nests fields deeper than
// Limits.MaxDepth, asks a connection for more than Limits.MaxFirst items,
// asks for introspection while Config.Introspection is off, or costs more
// than Limits.MaxCost. Handler.Cost tells what a document costs, and
// RootFields how many root fields it has, for rate limiters that count a
// batched request as many.
//
// # Authorization
//
// The caller is the auth.Principal of the request context. An admin sees
// everything; a customer sees its own orders, fulfillments, summary and
// notifications, and someone else's are answered as if they did not
// exist; an anonymous caller sees nothing that is owned. Products are
// public. Only admins may read projections; others get the error
// "forbidden".
//
// # Batching
//
// Whoever obtains a set of orders (a page, a customer's page, one order)
// loads what the query selects of them from the other read models for the
// whole set at once, before any of their fields resolve: one query per
// kind of data (lines, timelines, fulfillments, their histories,
// customers, their spend), keyed by = ANY($1), whatever the number of
// orders. The connections below customers (orders, notifications) load
// per request through a loader: the customers obtained together register
// their ids with it, and the first connection to resolve loads the pages
// of all of them in one query. A page of orders with its lines, customers,
// fulfillments and timelines therefore costs the same number of queries
// for 5 orders as for 100.
//
// # Read your writes
//
// A request may carry X-Min-Position: a position the command API returned.
// Before reading a read model, a resolver waits until that projection's
// checkpoint has reached the position, once per projection per request,
// for at most Config.MaxWait in all. When the wait runs out the request
// reads anyway and its response carries the extensions "stale": true and
// "staleProjections", the names of the projections that were behind.
//
// # Errors
//
// Errors meant for the client (an invalid cursor, forbidden) say what went
// wrong and carry extensions.code. Every other error, including a panic
// in a resolver, is logged and answered as "internal error", never with
// SQL or driver details.
package read
