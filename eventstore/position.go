package eventstore

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
)

// Position is an event's place in the global log. Positions are ordered by
// Commit, then Prepare. Their meaning is the adapter's own (EventStoreDB's
// commit and prepare positions; PostgreSQL's transaction id and sequence);
// callers only compare, store and pass them back.
type Position struct {
	Commit  uint64
	Prepare uint64
}

// Start is the zero Position: the checkpoint before the first event.
var Start = Position{}

// IsZero reports whether p is the start of the log.
func (p Position) IsZero() bool { return p == Position{} }

// Compare returns -1, 0 or +1 as p is before, equal to or after q.
func (p Position) Compare(q Position) int {
	if c := cmp.Compare(p.Commit, q.Commit); c != 0 {
		return c
	}
	return cmp.Compare(p.Prepare, q.Prepare)
}

// Less reports whether p comes before q.
func (p Position) Less(q Position) bool { return p.Compare(q) < 0 }

// String encodes p as "commit.prepare", the opaque form clients receive and
// ParsePosition reads back.
func (p Position) String() string {
	return strconv.FormatUint(p.Commit, 10) + "." + strconv.FormatUint(p.Prepare, 10)
}

// ParsePosition decodes a string made by Position.String. It returns an
// error wrapping ErrInvalid for anything else.
func ParsePosition(s string) (Position, error) {
	commit, prepare, ok := strings.Cut(s, ".")
	if !ok {
		return Position{}, fmt.Errorf("%w: position %q is not of the form commit.prepare", ErrInvalid, s)
	}
	c, err1 := strconv.ParseUint(commit, 10, 64)
	p, err2 := strconv.ParseUint(prepare, 10, 64)
	if err1 != nil || err2 != nil || !canonical(commit) || !canonical(prepare) {
		return Position{}, fmt.Errorf("%w: position %q is not of the form commit.prepare", ErrInvalid, s)
	}
	return Position{Commit: c, Prepare: p}, nil
}

// canonical reports whether a decimal has no sign and no leading zero, so
// that every position has exactly one string form.
func canonical(digits string) bool {
	return digits != "" && digits[0] != '+' && (digits[0] != '0' || len(digits) == 1)
}
