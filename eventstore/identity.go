package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Identity tells one event store's log from another: an id chosen at
// random when the log got its identity, and when that was. A log wiped
// and started again, or the other backend's log, has another identity,
// so state that follows a log from a checkpoint (read models, consumers)
// can record the identity beside its checkpoint and notice when it is
// handed another log.
type Identity struct {
	ID      uuid.UUID
	Created time.Time
}

// IsZero reports whether i is the zero Identity, which no log has.
func (i Identity) IsZero() bool { return i.ID == uuid.Nil }

// String returns the id and the creation time, e.g.
// "2f1e... (created 2026-12-07T07:40:00Z)".
func (i Identity) String() string {
	if i.IsZero() {
		return "none"
	}
	return fmt.Sprintf("%s (created %s)", i.ID, i.Created.UTC().Format(time.RFC3339))
}

// The identity of a log is the one event of the stream IdentityStream,
// of type IdentityType, whose data is identityData. The stream is an
// ordinary one, so it works the same on every adapter; readers of the
// whole log see its one event and ignore it, as they ignore every stream
// they do not know.
const (
	// IdentityStream is the well-known stream holding a log's identity.
	IdentityStream = "eventstore.identity"
	// IdentityType is the type of its one event.
	IdentityType = "eventstore.identity_created"
)

// identityData is the payload of the identity event.
type identityData struct {
	ID      uuid.UUID `json:"id"`
	Created time.Time `json:"created"`
}

// ReadIdentity returns the identity of store's log and true, or false
// when the log has none yet (a new log, or one wiped since). It writes
// nothing.
func ReadIdentity(ctx context.Context, store Store) (Identity, bool, error) {
	events, err := store.ReadStream(ctx, IdentityStream, ReadOptions{Direction: Forwards, From: 0, Count: 1})
	if errors.Is(err, ErrStreamNotFound) || err == nil && len(events) == 0 {
		return Identity{}, false, nil
	}
	if err != nil {
		return Identity{}, false, fmt.Errorf("read the event store's identity: %w", err)
	}
	id, err := IdentityOf(events[0])
	if err != nil {
		return Identity{}, false, fmt.Errorf("read the event store's identity: the first event of %s %w", IdentityStream, err)
	}
	return id, true, nil
}

// IdentityOf returns the identity an event of IdentityStream records, or
// an error saying that it is not an identity event.
func IdentityOf(e RecordedEvent) (Identity, error) {
	var d identityData
	if e.Type != IdentityType || json.Unmarshal(e.Data, &d) != nil || d.ID == uuid.Nil || d.Created.IsZero() {
		return Identity{}, fmt.Errorf("(%s, %s) is not an identity", e.ID, e.Type)
	}
	return Identity{ID: d.ID, Created: d.Created}, nil
}

// Identify returns the identity of store's log, giving it one first when
// it has none: a random id and now, appended to IdentityStream with
// NoStream. When several processes do so at once, one append wins and
// every caller returns its identity. The same call gives the same answer
// on every adapter, for as long as the log lives.
func Identify(ctx context.Context, store Store, now time.Time) (Identity, error) {
	if id, ok, err := ReadIdentity(ctx, store); err != nil || ok {
		return id, err
	}
	// The event's id is the identity's: a retry of this very append is
	// recognised as such.
	fresh := Identity{ID: uuid.New(), Created: now.UTC().Truncate(time.Microsecond)}
	data, err := json.Marshal(identityData(fresh))
	if err != nil {
		return Identity{}, fmt.Errorf("give the event store an identity: %w", err)
	}
	_, err = store.Append(ctx, IdentityStream, NoStream, EventData{ID: fresh.ID, Type: IdentityType, Data: data})
	switch {
	case err == nil:
		return fresh, nil
	case errors.Is(err, ErrWrongExpectedRevision):
		// Another process gave it one first.
		id, ok, err := ReadIdentity(ctx, store)
		if err == nil && !ok {
			err = fmt.Errorf("read the event store's identity: %s exists but shows no event", IdentityStream)
		}
		return id, err
	default:
		return Identity{}, fmt.Errorf("give the event store an identity: %w", err)
	}
}
