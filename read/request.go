package read

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/orderflow/orderflow/eventstore"
)

// gqlRequest is one GraphQL request: the document, its variables and the
// operation to run.
type gqlRequest struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
	// Extensions are accepted, as GraphQL over HTTP allows them, and
	// ignored.
	Extensions map[string]any `json:"extensions"`
}

// httpError refuses a request at the HTTP level; it is answered as
// problem+json with its status, code and detail.
type httpError struct {
	status int
	code   string
	detail string
}

func (e *httpError) Error() string { return e.detail }

func badRequest(code, detail string) *httpError {
	return &httpError{status: http.StatusBadRequest, code: code, detail: detail}
}

// decodeHTTPRequest reads the GraphQL request of a GET (URL parameters) or
// POST (an application/json body of at most maxBody bytes), and returns
// how many bytes the request carried (its body, or its URL's query
// string; maxBody for a body too large). Every error it returns is an
// *httpError.
func decodeHTTPRequest(w http.ResponseWriter, r *http.Request, maxBody int64) (gqlRequest, int, error) {
	switch r.Method {
	case http.MethodGet:
		req, err := decodeQueryParams(r.URL.Query())
		return req, len(r.URL.RawQuery), err
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, POST")
		return gqlRequest{}, 0, &httpError{status: http.StatusMethodNotAllowed, code: "method_not_allowed",
			detail: clip(r.Method) + " is not allowed; send the query with POST (application/json) or GET (?query=)"}
	}
	ct := r.Header.Get("Content-Type")
	media, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || media != "application/json" {
		if ct == "" {
			ct = "none"
		}
		return gqlRequest{}, 0, &httpError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
			detail: fmt.Sprintf("send the request body as application/json (Content-Type was %s)", clip(ct))}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return gqlRequest{}, int(maxBody), &httpError{status: http.StatusRequestEntityTooLarge, code: "body_too_large",
			detail: fmt.Sprintf("the request body is larger than %d bytes", maxBody)}
	}
	if err != nil {
		return gqlRequest{}, len(body), badRequest("body_unreadable", "the request body could not be read")
	}
	req, err := decodeBody(body)
	return req, len(body), err
}

// decodeBody decodes a POST body: one JSON object with a non-empty string
// query, and optionally variables (an object), operationName (a string)
// and extensions, nothing else and nothing after it. Every error it
// returns is a 400 *httpError.
func decodeBody(body []byte) (gqlRequest, error) {
	var req gqlRequest
	if !utf8.Valid(body) {
		return req, badRequest("body_not_utf8", "the request body is not valid UTF-8")
	}
	if !shallow(body) {
		return req, errTooDeep
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return gqlRequest{}, describeJSONError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return gqlRequest{}, badRequest("body_trailing_data", "the request body has data after the JSON object")
	}
	if req.Query == "" {
		return gqlRequest{}, badRequest("query_missing", `the request has no query; send {"query": "{ ... }"}`)
	}
	if !finite(req.Variables) {
		return gqlRequest{}, badRequest("field_wrong_type", `field "variables" holds a number out of range`)
	}
	return req, nil
}

// decodeQueryParams decodes the parameters of a GET request: query,
// variables (a JSON object) and operationName.
func decodeQueryParams(q url.Values) (gqlRequest, error) {
	req := gqlRequest{Query: q.Get("query"), OperationName: q.Get("operationName")}
	if req.Query == "" {
		return gqlRequest{}, badRequest("query_missing", "the request has no query; send ?query={ ... }")
	}
	if !utf8.ValidString(req.Query) || !utf8.ValidString(req.OperationName) {
		return gqlRequest{}, badRequest("query_not_utf8", "the query is not valid UTF-8")
	}
	if v := q.Get("variables"); v != "" {
		if !shallow([]byte(v)) {
			return gqlRequest{}, errTooDeep
		}
		if err := json.Unmarshal([]byte(v), &req.Variables); err != nil || !finite(req.Variables) {
			return gqlRequest{}, badRequest("variables_malformed", "the variables parameter must be a JSON object")
		}
	}
	return req, nil
}

// maxJSONDepth is how deeply a request's JSON may nest arrays and
// objects: the request object, its variables and their values. Our
// input types nest a few levels at most.
const maxJSONDepth = 32

var errTooDeep = badRequest("body_too_deep", fmt.Sprintf("the request nests JSON arrays and objects more than %d deep", maxJSONDepth))

// shallow reports whether the JSON text b nests arrays and objects at
// most maxJSONDepth deep. It looks only at brackets outside strings, in
// one pass, before anything decodes b: decoding a deeply nested value
// costs far more than its length suggests. Malformed JSON is left to the
// decoder.
func shallow(b []byte) bool {
	depth := 0
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inString:
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > maxJSONDepth {
				return false
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return true
}

// finite reports whether every number in v fits a float64 (encoding/json
// refuses 1e999 itself; this guards against anything else).
func finite(v any) bool {
	switch x := v.(type) {
	case float64:
		return !math.IsInf(x, 0) && !math.IsNaN(x)
	case map[string]any:
		for _, e := range x {
			if !finite(e) {
				return false
			}
		}
	case []any:
		for _, e := range x {
			if !finite(e) {
				return false
			}
		}
	}
	return true
}

func describeJSONError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.EOF):
		return badRequest("body_empty", "the request body is empty; send a JSON object")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("body_malformed", "the request body is not well-formed JSON")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return badRequest("body_wrong_type", fmt.Sprintf("the request body must be a JSON object, not %s", typ.Value))
		}
		return badRequest("field_wrong_type", fmt.Sprintf("field %q has the wrong type: %s", typ.Field, typ.Value))
	default:
		const unknown = "json: unknown field "
		if msg := err.Error(); len(msg) > len(unknown) && msg[:len(unknown)] == unknown {
			return badRequest("field_unknown", fmt.Sprintf("field %s is not part of a GraphQL request (query, variables, operationName, extensions)", clipMessage(msg[len(unknown):])))
		}
		return badRequest("body_malformed", "the request body could not be decoded")
	}
}

// minPositionHeader names the header that asks for read-your-writes.
const minPositionHeader = "X-Min-Position"

// parseMinPosition reads X-Min-Position: absent, or one position
// "commit.prepare" as the command API returns it, each part within a
// bigint.
func parseMinPosition(h http.Header) (pos eventstore.Position, set bool, err error) {
	values := h.Values(minPositionHeader)
	if len(values) == 0 {
		return eventstore.Position{}, false, nil
	}
	bad := badRequest("min_position_invalid", `the X-Min-Position header must be one position as the command API returns it, e.g. "1234.5"`)
	if len(values) > 1 {
		return eventstore.Position{}, false, bad
	}
	pos, err = eventstore.ParsePosition(values[0])
	if err != nil || pos.Commit > math.MaxInt64 || pos.Prepare > math.MaxInt64 {
		return eventstore.Position{}, false, bad
	}
	return pos, true, nil
}
