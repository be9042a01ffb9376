// Package contracts holds the released contracts of orderflow's APIs and
// the gate that keeps changes to them backward compatible.
//
// The released baselines are the files in released/: the OpenAPI
// document of the REST command API (openapi.v1.json, the document
// write/api serves) and the SDL of the GraphQL query API
// (orderflow.graphql, schema.GraphQL()). Check compares the current
// contracts with them and returns every breaking change, each named:
// OpenAPIBreaking with oasdiff's checker, GraphQLBreaking with rules of
// its own over gqlparser's AST. The gate test fails on any; additions
// pass.
//
// A new baseline is released with `make contracts-release`, which runs
// cmd/contracts: only after a deliberate decision, and for a breaking
// change together with a new API version, as README.md says.
package contracts
