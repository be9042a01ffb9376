package eventstore

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

const (
	// MaxEventSize is the largest event accepted: data plus encoded metadata.
	MaxEventSize = 1 << 20
	// MaxBatch is the largest number of events one Append accepts.
	MaxBatch = 4096
	// MaxStreamNameLength is the longest stream name accepted.
	MaxStreamNameLength = 255
	// MaxTypeLength is the longest event type name accepted.
	MaxTypeLength = 255
)

// ValidateStreamName returns an error wrapping ErrInvalid unless name is a
// well-formed stream name (see the package documentation).
func ValidateStreamName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: stream name is empty", ErrInvalid)
	}
	if len(name) > MaxStreamNameLength {
		return fmt.Errorf("%w: stream name is %d bytes long, the limit is %d", ErrInvalid, len(name), MaxStreamNameLength)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if i == 0 && !alnum {
			return fmt.Errorf("%w: stream name %q must start with a letter or a digit", ErrInvalid, name)
		}
		if !alnum && !strings.ContainsRune("_.:@-", rune(c)) {
			return fmt.Errorf("%w: stream name %q contains %q; allowed are letters, digits and _.:@-", ErrInvalid, name, rune(c))
		}
	}
	return nil
}

// ValidateCategory returns an error wrapping ErrInvalid unless name is empty
// or a well-formed category (a stream name without "-").
func ValidateCategory(name string) error {
	if name == "" {
		return nil
	}
	if strings.Contains(name, "-") {
		return fmt.Errorf("%w: category %q contains \"-\"", ErrInvalid, name)
	}
	return ValidateStreamName(name)
}

// Category returns the category of a stream: the part of its name before
// the first "-", or the whole name.
func Category(stream string) string {
	category, _, _ := strings.Cut(stream, "-")
	return category
}

// EncodedEvent is an EventData checked and ready to store.
type EncodedEvent struct {
	EventData
	// RawMetadata is Metadata encoded as JSON.
	RawMetadata []byte
}

// ValidateAppend checks an Append request and encodes its metadata. It
// returns an error wrapping ErrInvalid that names the first problem found.
func ValidateAppend(stream string, events []EventData) ([]EncodedEvent, error) {
	if err := ValidateStreamName(stream); err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("%w: append to %s: no events", ErrInvalid, stream)
	}
	if len(events) > MaxBatch {
		return nil, fmt.Errorf("%w: append to %s: %d events, the limit is %d", ErrInvalid, stream, len(events), MaxBatch)
	}
	// Most appends are one event: they need no set of ids seen.
	var seen map[uuid.UUID]struct{}
	if len(events) > 1 {
		seen = make(map[uuid.UUID]struct{}, len(events))
	}
	out := make([]EncodedEvent, len(events))
	for i, e := range events {
		// where names the event in an error; formatting it only then
		// keeps the common, valid append free of it.
		where := eventRef{stream, i}
		if e.ID == uuid.Nil {
			return nil, fmt.Errorf("%w: %s: id is not set", ErrInvalid, where)
		}
		if seen != nil {
			if _, dup := seen[e.ID]; dup {
				return nil, fmt.Errorf("%w: %s: id %s appears twice in the batch", ErrInvalid, where, e.ID)
			}
			seen[e.ID] = struct{}{}
		}
		if strings.TrimSpace(e.Type) == "" {
			return nil, fmt.Errorf("%w: %s: type is empty", ErrInvalid, where)
		}
		if strings.HasPrefix(e.Type, "$") {
			return nil, fmt.Errorf("%w: %s: type %q starts with \"$\", which is reserved for the store's own events", ErrInvalid, where, e.Type)
		}
		if len(e.Type) > MaxTypeLength {
			return nil, fmt.Errorf("%w: %s: type is %d bytes long, the limit is %d", ErrInvalid, where, len(e.Type), MaxTypeLength)
		}
		if !utf8.Valid(e.Data) || !json.Valid(e.Data) {
			return nil, fmt.Errorf("%w: %s (%s): data is not a JSON document", ErrInvalid, where, e.Type)
		}
		meta := MarshalMetadata(e.Metadata)
		if size := len(e.Data) + len(meta); size > MaxEventSize {
			return nil, fmt.Errorf("%w: %s (%s): %d bytes, the limit is %d", ErrInvalid, where, e.Type, size, MaxEventSize)
		}
		out[i] = EncodedEvent{EventData: e, RawMetadata: meta}
	}
	return out, nil
}

// eventRef names the i-th event of an append to stream in an error.
type eventRef struct {
	stream string
	i      int
}

func (r eventRef) String() string { return fmt.Sprintf("append to %s: event %d", r.stream, r.i) }
