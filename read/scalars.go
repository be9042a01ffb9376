package read

import (
	"fmt"
	"strconv"
	"time"
)

// int64Scalar is the GraphQL scalar Int64: a 64-bit integer sent as a
// JSON string of decimal digits.
type int64Scalar int64

// ImplementsGraphQLType binds int64Scalar to the scalar Int64.
func (int64Scalar) ImplementsGraphQLType(name string) bool { return name == "Int64" }

// UnmarshalGraphQL accepts a string of decimal digits or an Int.
func (n *int64Scalar) UnmarshalGraphQL(input any) error {
	switch x := input.(type) {
	case string:
		v, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return fmt.Errorf("Int64 must be a string of decimal digits, not %q", clip(x))
		}
		*n = int64Scalar(v)
		return nil
	case int32:
		*n = int64Scalar(x)
		return nil
	default:
		return fmt.Errorf("Int64 must be a string of decimal digits, not %s", kindOf(input))
	}
}

// MarshalText writes n in decimal; encoding/json makes it a JSON string.
// (A text marshaler costs encoding/json less than a JSON one, whose
// output it validates again.)
func (n int64Scalar) MarshalText() ([]byte, error) {
	return strconv.AppendInt(make([]byte, 0, 20), int64(n), 10), nil
}

// timeScalar is the GraphQL scalar Time: an RFC 3339 string, written in
// UTC.
type timeScalar time.Time

// ImplementsGraphQLType binds timeScalar to the scalar Time.
func (timeScalar) ImplementsGraphQLType(name string) bool { return name == "Time" }

// UnmarshalGraphQL accepts an RFC 3339 string with any offset.
func (t *timeScalar) UnmarshalGraphQL(input any) error {
	s, ok := input.(string)
	if !ok {
		return fmt.Errorf("Time must be an RFC 3339 string, not %s", kindOf(input))
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("Time must be an RFC 3339 string such as 2026-03-01T12:30:00Z, not %q", clip(s))
	}
	*t = timeScalar(v)
	return nil
}

// MarshalText writes t in RFC 3339 in UTC, with as many fractional digits
// as it needs; encoding/json makes it a JSON string.
func (t timeScalar) MarshalText() ([]byte, error) {
	return time.Time(t).UTC().AppendFormat(make([]byte, 0, 32), time.RFC3339Nano), nil
}

// optTime returns t as a nullable Time.
func optTime(t *time.Time) *timeScalar {
	if t == nil {
		return nil
	}
	v := timeScalar(*t)
	return &v
}

// kindOf names the kind of a value a client sent, as a person reads JSON
// or GraphQL.
func kindOf(v any) string {
	switch v.(type) {
	case bool:
		return "a boolean"
	case float64, int32, int64, int:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("a %T", v)
	}
}
