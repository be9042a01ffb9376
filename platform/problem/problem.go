// Package problem writes RFC 9457 problem details: the JSON error bodies
// (media type application/problem+json) every orderflow HTTP endpoint
// answers with when a request fails.
package problem

import (
	"encoding/json"
	"maps"
	"net/http"
)

// ContentType is the media type of a problem details body.
const ContentType = "application/problem+json"

// Details is a problem details object. Type defaults to "about:blank" and
// Title to the status text of Status when they are empty.
type Details struct {
	// Type is a URI reference that identifies the kind of problem.
	Type string
	// Title is a short, human-readable summary of the kind of problem.
	Title string
	// Status is the HTTP status code.
	Status int
	// Detail explains this occurrence of the problem.
	Detail string
	// Instance is a URI reference that identifies this occurrence.
	Instance string
	// Extensions are further members of the body. They cannot replace the
	// standard members above.
	Extensions map[string]any
}

// MarshalJSON encodes d as one flat JSON object: the standard members, the
// empty optional ones left out, and the extensions beside them.
func (d Details) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(d.Extensions)+5)
	maps.Copy(m, d.Extensions)
	m["type"] = d.Type
	if d.Type == "" {
		m["type"] = "about:blank"
	}
	m["title"] = d.Title
	if d.Title == "" {
		m["title"] = http.StatusText(d.Status)
	}
	m["status"] = d.Status
	delete(m, "detail")
	if d.Detail != "" {
		m["detail"] = d.Detail
	}
	delete(m, "instance")
	if d.Instance != "" {
		m["instance"] = d.Instance
	}
	return json.Marshal(m)
}

// Write sends d as the response, with status d.Status.
func Write(w http.ResponseWriter, d Details) {
	body, err := json.Marshal(d)
	if err != nil { // an extension that JSON cannot encode
		d = Details{Status: http.StatusInternalServerError, Detail: "encode problem details"}
		body, _ = json.Marshal(d)
	}
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(d.Status)
	_, _ = w.Write(append(body, '\n'))
}
