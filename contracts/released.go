package contracts

import (
	"embed"
	"fmt"

	"github.com/orderflow/orderflow/schema"
	"github.com/orderflow/orderflow/write/api"
)

// The released baselines, as files of the module: ReleasedDir is relative
// to the module's root.
const (
	ReleasedDir     = "contracts/released"
	OpenAPIFile     = "openapi.v1.json"
	GraphQLFile     = "orderflow.graphql"
	releasedOpenAPI = "released/" + OpenAPIFile
	releasedGraphQL = "released/" + GraphQLFile
)

//go:embed released
var released embed.FS

// Contracts are the two API contracts, as documents.
type Contracts struct {
	// OpenAPI is the REST command API's OpenAPI document (JSON).
	OpenAPI []byte
	// GraphQL is the GraphQL query API's SDL.
	GraphQL string
}

// Released returns the released baselines, as this binary embeds them.
func Released() (Contracts, error) {
	o, err := released.ReadFile(releasedOpenAPI)
	if err != nil {
		return Contracts{}, err
	}
	g, err := released.ReadFile(releasedGraphQL)
	if err != nil {
		return Contracts{}, err
	}
	return Contracts{OpenAPI: o, GraphQL: string(g)}, nil
}

// Current returns the contracts the code serves now.
func Current() Contracts {
	return Contracts{OpenAPI: api.OpenAPI(), GraphQL: schema.GraphQL()}
}

// Breaking returns every breaking change of revision against base, the
// OpenAPI document's first, or an error when a document does not load.
func Breaking(base, revision Contracts) ([]Change, error) {
	o, err := OpenAPIBreaking(base.OpenAPI, revision.OpenAPI)
	if err != nil {
		return nil, err
	}
	g, err := GraphQLBreaking(base.GraphQL, revision.GraphQL)
	if err != nil {
		return nil, err
	}
	return append(o, g...), nil
}

// Check returns the breaking changes of the current contracts against the
// released baselines.
func Check() ([]Change, error) {
	base, err := Released()
	if err != nil {
		return nil, fmt.Errorf("read the released contracts: %w", err)
	}
	return Breaking(base, Current())
}
