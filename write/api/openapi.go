package api

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes every route of the command API, its bodies and
// its errors (OpenAPI 3.1). openapi_test.go holds it to the router.
//
//go:embed openapi.json
var openAPIDocument []byte

// serveOpenAPI: GET /openapi.json.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIDocument)
}
