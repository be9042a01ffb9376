package schema

import _ "embed"

//go:embed orderflow.graphql
var graphQL string

// GraphQL returns the SDL of orderflow's GraphQL query API (package read
// serves it). Its comments document the API's conventions: Int64 as
// strings, RFC 3339 times, opaque positions and cursors, ownership.
func GraphQL() string { return graphQL }
