package api

import (
	_ "embed"
	"net/http"
	"slices"
)

// openAPIDocument describes every route of the command API, its bodies and
// its errors (OpenAPI 3.1). openapi_test.go holds it to the router.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns the OpenAPI document of the command API, as GET
// /openapi.json serves it: the contract package contracts holds to its
// released baseline.
func OpenAPI() []byte { return slices.Clone(openAPIDocument) }

// serveOpenAPI: GET /openapi.json.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIDocument)
}
