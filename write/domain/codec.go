package domain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
)

// Errors a Codec's Decode wraps.
var (
	// ErrUnknownEventType: the type is not one of the context's events.
	ErrUnknownEventType = errors.New("unknown event type")
	// ErrUnsupportedVersion: the payload has no schema version "v", or one
	// this code cannot read (below 1, or written by newer code).
	ErrUnsupportedVersion = errors.New("unsupported event schema version")
	// ErrMalformedEvent: the payload is not the JSON object its type and
	// version call for.
	ErrMalformedEvent = errors.New("malformed event payload")
)

// DecodeFunc decodes one schema version of one event type's payload into
// the current event.
type DecodeFunc func(data []byte) (Event, error)

// EventSpec describes how to read one schema version of one event type.
type EventSpec struct {
	Type    string
	Version int
	Decode  DecodeFunc
}

// Codec decodes the stored events of one context: it reads the payload's
// schema version "v", refuses versions it does not know, and hands older
// versions to their upcasters. It is immutable and safe for concurrent use.
type Codec struct {
	context  string
	current  map[string]int
	decoders map[string]map[int]DecodeFunc
}

// NewCodec returns the codec of context ("order") whose events are current
// (one spec per type, at its current version); upcasts read older versions
// of those types into their current events.
func NewCodec(context string, current []EventSpec, upcasts ...EventSpec) Codec {
	c := Codec{context: context, current: map[string]int{}, decoders: map[string]map[int]DecodeFunc{}}
	for _, s := range append(current, upcasts...) {
		if c.decoders[s.Type] == nil {
			c.decoders[s.Type] = map[int]DecodeFunc{}
		}
		c.decoders[s.Type][s.Version] = s.Decode
	}
	for _, s := range current {
		c.current[s.Type] = s.Version
	}
	return c
}

// Types returns the context's event types, sorted.
func (c Codec) Types() []string {
	types := make([]string, 0, len(c.current))
	for t := range c.current {
		types = append(types, t)
	}
	sort.Strings(types)
	return types
}

// Current returns the schema version in which the context writes events
// of type typ, and false when typ is not one of its types.
func (c Codec) Current(typ string) (int, bool) {
	v, ok := c.current[typ]
	return v, ok
}

// Reads reports whether Decode reads version v of event type typ: the
// current version, or an older one with its upcaster.
func (c Codec) Reads(typ string, v int) bool {
	current, ok := c.current[typ]
	if !ok || v < 1 || v > current {
		return false
	}
	_, ok = c.decoders[typ][v]
	return ok
}

// SchemaVersion returns the schema version "v" of a stored payload, and
// false when the payload is not a JSON object with an integer "v".
func SchemaVersion(data []byte) (int, bool) {
	if v, ok := leadingVersion(data); ok {
		return v, true
	}
	var head struct {
		V *int `json:"v"`
	}
	if err := json.Unmarshal(data, &head); err != nil || head.V == nil {
		return 0, false
	}
	return *head.V, true
}

// Decode turns a stored payload of event type typ into its current event.
// It returns an error wrapping ErrUnknownEventType, ErrUnsupportedVersion
// or ErrMalformedEvent, and never panics.
func (c Codec) Decode(typ string, data []byte) (Event, error) {
	current, ok := c.current[typ]
	if !ok {
		return nil, fmt.Errorf("decode %q: not a %s event: %w", typ, c.context, ErrUnknownEventType)
	}
	v, ok := leadingVersion(data)
	if !ok {
		var head struct {
			V *int `json:"v"`
		}
		if err := json.Unmarshal(data, &head); err != nil {
			return nil, fmt.Errorf("decode %s: %w: %w", typ, ErrMalformedEvent, err)
		}
		if head.V == nil {
			return nil, fmt.Errorf("decode %s: no schema version: %w", typ, ErrUnsupportedVersion)
		}
		v = *head.V
	}
	decode, ok := c.decoders[typ][v]
	if v < 1 || v > current || !ok {
		return nil, fmt.Errorf("decode %s: version %d, known 1 to %d: %w", typ, v, current, ErrUnsupportedVersion)
	}
	e, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s v%d: %w: %w", typ, v, ErrMalformedEvent, err)
	}
	if got, ok := versionField(e); ok && v == current && got != v {
		// A second "v" (JSON keys match without regard to case) said
		// otherwise than the first.
		return nil, fmt.Errorf("decode %s: the payload names versions %d and %d: %w", typ, v, got, ErrMalformedEvent)
	}
	return e, nil
}

// versionField reads the V field of an event struct, if it has one.
func versionField(e Event) (int, bool) {
	rv := reflect.ValueOf(e)
	if rv.Kind() != reflect.Struct {
		return 0, false
	}
	f := rv.FieldByName("V")
	if !f.IsValid() || !f.CanInt() {
		return 0, false
	}
	return int(f.Int()), true
}

// Strict decodes data into an E, refusing fields E does not have and
// anything after the object. It is
// the DecodeFunc of a current version.
func Strict[E Event](data []byte) (Event, error) {
	var e E
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the JSON object")
	}
	return e, nil
}

// leadingVersion reads the schema version of a payload that starts with it,
// as every payload this code writes does ({"v":1,...}), without parsing the
// rest twice. Anything else is left to the full parse.
func leadingVersion(data []byte) (int, bool) {
	const prefix = `{"v":`
	if !bytes.HasPrefix(data, []byte(prefix)) {
		return 0, false
	}
	v, i := 0, len(prefix)
	for ; i < len(data) && i < len(prefix)+6 && '0' <= data[i] && data[i] <= '9'; i++ {
		v = v*10 + int(data[i]-'0')
	}
	if i == len(prefix) || i >= len(data) || (data[i] != ',' && data[i] != '}') || (data[len(prefix)] == '0' && i > len(prefix)+1) {
		return 0, false
	}
	return v, true
}
