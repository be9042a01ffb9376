package contracts

import "fmt"

// Change is one breaking change of a contract against its released
// baseline.
type Change struct {
	// Contract is the contract changed: "openapi" or "graphql".
	Contract string
	// Kind is a stable name of the kind of change: for OpenAPI the id of
	// the oasdiff check that found it (e.g. "api-path-removed-without-
	// deprecation"), for GraphQL one of the GraphQL* kinds below.
	Kind string
	// Message names what changed and how, e.g. "field Order.total
	// removed", or for OpenAPI "POST /orders: ...".
	Message string
}

// String is the change as the gate reports it: "graphql
// FIELD_REMOVED: field Order.total removed".
func (c Change) String() string { return fmt.Sprintf("%s %s: %s", c.Contract, c.Kind, c.Message) }
