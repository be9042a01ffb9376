// Package console serves orderflow's operator console: one web page, in
// plain HTML, CSS and JavaScript embedded in the binary, that shows and
// drives the projections (status, lag, zero-downtime rebuilds), the
// fulfillment sagas (counts, the sagas in flight with the stuck ones on
// top, one saga's history), the dead letters (and their redrive), the
// payment provider's circuit breaker and bulkhead, any order's timeline,
// and the last hour over time as charts (package charts serves their
// series; uPlot, vendored in static/vendor/uplot with its licence, draws
// them).
//
// The page has no privileges of its own. The operator pastes a bearer
// token, which the page keeps in sessionStorage and sends with every call;
// it reads and acts only through the public APIs: the GraphQL query API
// (its admin queries) and the admin REST endpoints, so a token that is not
// an admin's is refused by them (403, or the GraphQL error "forbidden")
// and the page says so.
//
// Handler serves the page under Prefix, outside authentication: the files
// hold no data. Every answer carries a strict Content-Security-Policy (no
// inline script or style; scripts, styles and API calls from the same
// origin only), nosniff and no-referrer; files are served with their
// content type and a strong ETag, revalidated on every load.
package console
