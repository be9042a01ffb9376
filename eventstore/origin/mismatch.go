package origin

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/orderflow/orderflow/eventstore"
)

// ResetCommand is the command that makes the state kept in PostgreSQL
// follow the event store orderflow is configured with.
const ResetCommand = "orderflow projections reset --adopt-event-store"

// ErrMismatch is matched by every *MismatchError.
var ErrMismatch = errors.New("the state kept in PostgreSQL follows another event store")

// Kind is the sort of state that records an event store's identity.
type Kind string

// The kinds of state that follow the log.
const (
	// Checkpoint is a read model's or a consumer's checkpoint
	// (projections.checkpoints); its Name is the projection's.
	Checkpoint Kind = "checkpoint"
	// Sagas are the running sagas (sagas.active).
	Sagas Kind = "sagas"
	// Idempotency is the command API's stored Idempotency-Key responses
	// (api.idempotency).
	Idempotency Kind = "idempotency"
)

// Holder is one piece of state and the event store it records.
type Holder struct {
	Kind Kind
	// Name is the projection's, for a Checkpoint.
	Name string
	// From is the identity of the event store it came from.
	From eventstore.Identity
}

// MismatchError says that state kept in PostgreSQL came from another
// event store than the one orderflow is configured with, and what to do.
// errors.Is(err, ErrMismatch) matches it.
type MismatchError struct {
	// Current is the configured event store's identity; zero when its log
	// has none (it is new, or was wiped).
	Current eventstore.Identity
	// Foreign is the state that records another one, in a stable order.
	Foreign []Holder
}

// Is makes errors.Is(err, ErrMismatch) true.
func (e *MismatchError) Is(target error) bool { return target == ErrMismatch }

// Error is one line that says which state came from which event store,
// which one this is, what that means and which command resets it.
func (e *MismatchError) Error() string {
	var b strings.Builder
	b.WriteString(ErrMismatch.Error())
	b.WriteString(": ")
	var others []string
	for i, group := range e.groups() {
		if i > 0 {
			b.WriteString("; ")
		}
		from := group[0].From
		fmt.Fprintf(&b, "%s came from event store %s", describe(group), from)
		others = append(others, from.ID.String())
	}
	if e.Current.IsZero() {
		b.WriteString("; this event store's log has no identity: it is new or was wiped")
	} else {
		fmt.Fprintf(&b, "; this event store is %s", e.Current)
	}
	fmt.Fprintf(&b, ". The event store was switched (PostgreSQL <-> EventStoreDB) or wiped since: "+
		"going on from those checkpoints would skip or re-apply events, so orderflow stops. "+
		"To keep this event store, stop every orderflow process and run `%s`: "+
		"the read models are rebuilt from its log, the saga intake starts again at its start "+
		"(a saga already started there is not started twice), the running sagas are found again from its log, "+
		"and the stored Idempotency-Key responses are forgotten (a retried request runs again; "+
		"its event ids keep it from being applied twice). To keep the state instead, configure orderflow with event store %s again",
		ResetCommand, strings.Join(others, " or "))
	return b.String()
}

// groups returns Foreign grouped by the identity they record, in the
// order of their first holder.
func (e *MismatchError) groups() [][]Holder {
	var out [][]Holder
	for _, h := range e.Foreign {
		i := slices.IndexFunc(out, func(g []Holder) bool { return g[0].From.ID == h.From.ID })
		if i < 0 {
			out = append(out, []Holder{h})
			continue
		}
		out[i] = append(out[i], h)
	}
	return out
}

// describe names the holders of a group: "the checkpoints orders and
// products, the running sagas and the stored Idempotency-Key responses".
func describe(group []Holder) string {
	var checkpoints, parts []string
	for _, h := range group {
		switch h.Kind {
		case Checkpoint:
			checkpoints = append(checkpoints, h.Name)
		case Sagas:
			parts = append(parts, "the running sagas")
		case Idempotency:
			parts = append(parts, "the stored Idempotency-Key responses")
		}
	}
	switch len(checkpoints) {
	case 0:
	case 1:
		parts = append([]string{"the checkpoint " + checkpoints[0]}, parts...)
	default:
		parts = append([]string{"the checkpoints " + list(checkpoints)}, parts...)
	}
	return list(parts)
}

// list joins words as "a", "a and b", "a, b and c".
func list(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
