package sandbox

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

	"github.com/orderflow/orderflow/write/money"
)

// Limits of what the sandbox accepts.
const (
	// MaxBodyBytes is the largest request body read.
	MaxBodyBytes = 16 << 10
	// MaxIdempotencyKeyLength is the longest Idempotency-Key accepted.
	MaxIdempotencyKeyLength = 255
	// MaxReferenceLength is the longest charge reference accepted.
	MaxReferenceLength = 255
	// MaxAmount is the largest charge, in minor units.
	MaxAmount = 1_000_000_00
)

// chargeRequest is the body of POST /v1/charges.
type chargeRequest struct {
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
	Reference string `json:"reference"`
}

// refundRequest is the body of POST /v1/refunds.
type refundRequest struct {
	Charge string `json:"charge"`
}

// idempotencyKey returns the request's Idempotency-Key header, checked.
func idempotencyKey(r *http.Request) (string, *apiError) {
	vals := r.Header.Values("Idempotency-Key")
	if len(vals) == 0 {
		return "", errKeyMissing
	}
	if len(vals) > 1 || !validKey(vals[0]) {
		return "", errKeyInvalid
	}
	return vals[0], nil
}

func validKey(key string) bool {
	if key == "" || len(key) > MaxIdempotencyKeyLength {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// readBody reads a JSON request body: application/json, within
// MaxBodyBytes.
func readBody(r *http.Request) ([]byte, *apiError) {
	ct := r.Header.Get("Content-Type")
	media, _, err := mime.ParseMediaType(ct)
	if err != nil || media != "application/json" {
		return nil, &apiError{status: http.StatusUnsupportedMediaType, code: CodeUnsupportedMedia,
			detail: fmt.Sprintf("send the body as application/json, not %q", ct)}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &apiError{status: http.StatusRequestEntityTooLarge, code: CodeBodyTooLarge,
			detail: fmt.Sprintf("the body is larger than %d bytes", MaxBodyBytes)}
	}
	if err != nil {
		return nil, badRequest("the body could not be read")
	}
	return body, nil
}

// decodeStrict decodes body into dst: valid UTF-8, one JSON object, no
// unknown fields, nothing after it.
func decodeStrict(body []byte, dst any) *apiError {
	if !utf8.Valid(body) {
		return badRequest("the body is not valid UTF-8")
	}
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return badRequest("the body must be one JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ) && typ.Field != "":
			return badRequest(fmt.Sprintf("field %q has the wrong type", typ.Field))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return badRequest("unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field "))
		default:
			return badRequest("the body is not well-formed JSON")
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("the body has data after the JSON object")
	}
	return nil
}

// decodeCharge decodes and checks a charge request.
func decodeCharge(body []byte) (chargeRequest, *apiError) {
	var req chargeRequest
	if err := decodeStrict(body, &req); err != nil {
		return chargeRequest{}, err
	}
	switch {
	case req.Amount <= 0 || req.Amount > MaxAmount:
		return chargeRequest{}, invalidField("amount", fmt.Sprintf("amount must be 1 to %d minor units", int64(MaxAmount)))
	case money.ValidateCurrency(req.Currency) != nil:
		return chargeRequest{}, invalidField("currency", "currency must be three upper-case letters, e.g. EUR")
	case !validText(req.Reference, MaxReferenceLength):
		return chargeRequest{}, invalidField("reference", fmt.Sprintf("reference must be 1 to %d printable characters", MaxReferenceLength))
	}
	return req, nil
}

// decodeRefund decodes and checks a refund request.
func decodeRefund(body []byte) (refundRequest, *apiError) {
	var req refundRequest
	if err := decodeStrict(body, &req); err != nil {
		return refundRequest{}, err
	}
	if !validText(req.Charge, MaxIdempotencyKeyLength) {
		return refundRequest{}, invalidField("charge", "charge must be a charge id, e.g. ch_...")
	}
	return req, nil
}

// validText reports whether s is 1 to max bytes with no control
// characters.
func validText(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return false
		}
	}
	return true
}
