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
// at the HTTP level (method, media type, size, JSON malformed or nested
// more than 32 deep, X-Min-Position) is answered with an RFC 9457
// problem+json body. A document that cannot be run (a syntax or
// validation error, a limit exceeded, a variable or a Time or Int64
// literal whose value its type refuses) is answered 400 (401 for a field
// that needs a token) with a GraphQL response holding only errors; a
// document that ran is answered 200, its errors beside its data.
//
// # Limits
//
// Before any resolver runs, and so before any SQL, and before graphql-go
// validates it, a document is refused with one error when it is longer
// than Limits.MaxQueryBytes, makes more than Limits.MaxFields selections
// (a fragment counted each time it is spread) or selects more than
// Limits.MaxFieldsPerSet fields in one selection set (MAX_FIELDS_EXCEEDED),
// uses one response key for two different fields or arguments in one
// merged selection set (RESPONSE_KEY_CONFLICT, naming the key), selects
// a root field an anonymous caller may not, nests fields deeper than
// Limits.MaxDepth, asks a connection for more than Limits.MaxFirst items,
// asks for introspection while Config.Introspection is off, or costs more
// than Limits.MaxCost. Every check takes time linear in the document;
// those that expand fragments run only once the selection count has
// bounded the expansion. Handler.Cost tells what a document costs, and
// RootFields how many root fields it has.
//
// # Rate limits
//
// Behind a ratelimit.Limiter, a request is charged, before it is
// answered, the most of 1, its root fields, its cost divided by
// Limits.CostPerUnit (1,000) and its length (its body, or a GET's query
// string) divided by Limits.QueryBytesPerUnit (1 KiB), both rounded up.
// A refused document is charged the same way by what was counted of it
// until it was refused, and a request refused before its document is
// read (malformed, nested too deep, too large) by its length, so that
// refusals are not free.
//
// # Authorization
//
// The caller is the auth.Principal of the request context. An admin sees
// everything; a customer sees its own orders, fulfillments, summary and
// notifications, and someone else's are answered as if they did not
// exist. Products are public: a caller without a principal may select
// only product, products and __typename (and introspection, when on) at
// the root; any other root field refuses the document with 401 and the
// error UNAUTHENTICATED. Only admins may read projections; others get the
// error "forbidden".
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
// # An order's past
//
// Order.history is folded from the event store (Config.Events), never from
// the read models: the order's stream and its saga's, merged by position
// and folded with the write side's own Evolve functions, one step per
// event, up to an asOf position when given. It reads at most 500 events
// of each stream (more: truncated, a WARN line, and the Observer told
// HISTORY_TRUNCATED), and a request may fold at most 5 histories
// (HISTORY_LIMIT_EXCEEDED), since each costs two stream reads that the
// batching above does not cover.
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
// SQL or driver details. A response carries at most 10 errors and then
// one more, ERRORS_DROPPED, with extensions.count the number left out; a
// response body over Limits.MaxResponseBytes is replaced by the one error
// RESPONSE_TOO_LARGE (and a WARN line). No message repeats more than 64
// characters of the client's input, ours or the libraries' (a name, an
// alias, a value, a token of a syntax error): the rest is cut off and
// marked with "…". Config.Observer is told of every refusal.
//
// # Deprecation
//
// A field, argument, input field or enum value of the SDL may be marked
// @deprecated(reason: ...); graphql-go keeps serving it and introspection
// shows it deprecated. The cost walk, which walks the operation against
// the schema anyway, notes every deprecated part the operation to run
// uses (enum values and input fields also in variables), and a document
// that passes the checks reports each once to
// Config.Observer.DeprecatedUsed, by schema coordinate
// ("TimelineEntry.causationId"), so that operators see when removing it
// breaks nobody.
package read
