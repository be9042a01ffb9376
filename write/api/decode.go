package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"
)

// MaxBodyBytes is the largest request body the command API reads.
const MaxBodyBytes = 64 << 10

// readBody reads a JSON request body: the right Content-Type, within
// MaxBodyBytes, valid UTF-8. It returns the raw bytes, which also feed the
// idempotency fingerprint.
func readBody(r *http.Request) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	media, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || media != "application/json" {
		return nil, errUnsupportedMediaType(ct)
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, errTooLarge
	}
	if err != nil {
		return nil, badRequest("body_unreadable", "the request body could not be read")
	}
	if !utf8.Valid(body) {
		return nil, badRequest("body_not_utf8", "the request body is not valid UTF-8")
	}
	return body, nil
}

// decodeStrict decodes body into dst: one JSON object, no unknown fields,
// nothing after it. Errors name the offending field where they can.
func decodeStrict(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return describeJSONError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("body_trailing_data", "the request body has data after the JSON object")
	}
	return nil
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
		field := typ.Field
		if field == "" {
			return badRequest("body_wrong_type", fmt.Sprintf("the request body must be a JSON object, not %s", typ.Value))
		}
		return badRequest("field_wrong_type", fmt.Sprintf("field %q must be %s, not %s", field, jsonKind(typ.Type.Kind().String()), typ.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return badRequest("field_unknown", fmt.Sprintf("field %s is not part of this request", strings.TrimPrefix(err.Error(), "json: unknown field ")))
	default:
		return badRequest("body_malformed", "the request body could not be decoded: "+err.Error())
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int", "int32", "int64", "uint", "uint32", "uint64", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	default:
		return "an object"
	}
}
