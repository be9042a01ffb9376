package auth

import (
	"net/http"

	"github.com/orderflow/orderflow/platform/problem"
)

// Problem type URIs of the answers this package writes; the last segment
// is also the body's code member.
const (
	ProblemUnauthenticated = "urn:orderflow:problem:unauthenticated"
	ProblemForbidden       = "urn:orderflow:problem:forbidden"
)

// writeUnauthenticated answers 401 with challenge as WWW-Authenticate. The
// body is the same for a missing, malformed, expired or otherwise refused
// token, so that the answer tells an attacker nothing about why.
func writeUnauthenticated(w http.ResponseWriter, challenge string) {
	w.Header().Set("WWW-Authenticate", challenge)
	w.Header().Set("Cache-Control", "no-store")
	problem.Write(w, problem.Details{
		Type:       ProblemUnauthenticated,
		Title:      "Unauthorized",
		Status:     http.StatusUnauthorized,
		Detail:     "the bearer token is missing, malformed, expired or not valid for this service",
		Extensions: map[string]any{"code": "unauthenticated"},
	})
}

// writeForbidden answers 403: the caller is authenticated but its role
// may not do this.
func writeForbidden(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	problem.Write(w, problem.Details{
		Type:       ProblemForbidden,
		Title:      "Forbidden",
		Status:     http.StatusForbidden,
		Detail:     "your role may not do this",
		Extensions: map[string]any{"code": "forbidden"},
	})
}
