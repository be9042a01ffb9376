package command

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

// SnapshotEventType is the stored type of a persisted snapshot event.
const SnapshotEventType = "command.snapshot"

// SnapshotStream returns the stream that holds the persisted snapshots of
// stream: "snapshot-" + stream. Its category, "snapshot", is no context's.
func SnapshotStream(stream string) string { return "snapshot-" + stream }

// storedSnapshot is the payload of a snapshot event. A state that fits
// one event is stored whole in State; a larger one is split into Parts
// events appended together, each holding a Chunk of the encoded state.
type storedSnapshot struct {
	// V is the aggregate's Snapshot.Version of State.
	V int `json:"v"`
	// Revision is the revision of the last event folded into State.
	Revision int64 `json:"revision"`
	// Commit and Prepare are that event's global position.
	Commit  uint64          `json:"commit"`
	Prepare uint64          `json:"prepare"`
	State   json.RawMessage `json:"state,omitempty"`
	// Part (from 0) and Parts number the events of a split state.
	Part  int    `json:"part,omitempty"`
	Parts int    `json:"parts,omitempty"`
	Chunk []byte `json:"chunk,omitempty"`
}

// maxChunk is the most of an encoded state one snapshot event holds: with
// base64 and the envelope it stays under eventstore.MaxEventSize.
const maxChunk = 600 << 10

// snapshotNamespace scopes the ids of snapshot events.
var snapshotNamespace = uuid.MustParse("0d6f3a52-3c4b-4f0e-9b8e-2f61d7a4c913")

// snapshotOf is a persisted snapshot, decoded.
type snapshotOf[S any] struct {
	state    S
	revision int64
	position eventstore.Position
}

// readSnapshot returns the latest snapshot of stream, when there is one of
// the aggregate's schema version.
func readSnapshot[S any](ctx context.Context, store eventstore.Store, agg Aggregate[S], stream string) (snapshotOf[S], bool, error) {
	events, err := store.ReadStream(ctx, SnapshotStream(stream), eventstore.ReadOptions{Direction: eventstore.Backwards, From: eventstore.End, Count: 1})
	if errors.Is(err, eventstore.ErrStreamNotFound) || (err == nil && len(events) == 0) {
		return snapshotOf[S]{}, false, nil
	}
	if err != nil {
		return snapshotOf[S]{}, false, fmt.Errorf("read the snapshot of %s: %w", stream, err)
	}
	var last storedSnapshot
	if err := json.Unmarshal(events[0].Data, &last); err != nil || last.V != agg.Snapshot.Version {
		// Another schema (older code, or newer): fold the stream instead.
		return snapshotOf[S]{}, false, nil
	}
	encoded := []byte(last.State)
	if last.Parts > 0 {
		if encoded, err = readChunks(ctx, store, stream, events[0].Revision, last); err != nil || encoded == nil {
			return snapshotOf[S]{}, false, err
		}
	}
	state, err := agg.Snapshot.Decode(encoded)
	if err != nil {
		return snapshotOf[S]{}, false, nil
	}
	return snapshotOf[S]{state: state, revision: last.Revision, position: eventstore.Position{Commit: last.Commit, Prepare: last.Prepare}}, true, nil
}

// readChunks reads the parts of the split snapshot whose last part, last,
// is at revision rev of stream's snapshot stream, and returns the encoded
// state; nil when the parts do not fit together.
func readChunks(ctx context.Context, store eventstore.Store, stream string, rev uint64, last storedSnapshot) ([]byte, error) {
	if last.Part != last.Parts-1 || uint64(last.Part) > rev {
		return nil, nil
	}
	events, err := store.ReadStream(ctx, SnapshotStream(stream), eventstore.ReadOptions{From: rev - uint64(last.Part), Count: last.Parts})
	if err != nil {
		return nil, fmt.Errorf("read the snapshot of %s: %w", stream, err)
	}
	if len(events) != last.Parts {
		return nil, nil
	}
	var encoded []byte
	for i, e := range events {
		var part storedSnapshot
		if err := json.Unmarshal(e.Data, &part); err != nil || part.Part != i || part.Parts != last.Parts || part.Revision != last.Revision || part.V != last.V {
			return nil, nil
		}
		encoded = append(encoded, part.Chunk...)
	}
	return encoded, nil
}

// writeSnapshot persists st as the snapshot of stream, in one append of
// one event, or of several for a state larger than maxChunk. Two handlers
// that write the snapshot of one revision store it once: event ids are
// derived from the stream, the revision and the part.
func writeSnapshot[S any](ctx context.Context, store eventstore.Store, agg Aggregate[S], stream string, st *loaded[S]) error {
	st.snapshotAt = st.revision // whatever happens, the next try is Every events later
	state, err := agg.Snapshot.Encode(st.state)
	if err != nil {
		return fmt.Errorf("encode the snapshot of %s: %w", stream, err)
	}
	head := storedSnapshot{V: agg.Snapshot.Version, Revision: st.revision, Commit: st.position.Commit, Prepare: st.position.Prepare}
	parts := []storedSnapshot{head}
	if len(state) <= maxChunk {
		parts[0].State = state
	} else {
		n := (len(state) + maxChunk - 1) / maxChunk
		parts = make([]storedSnapshot, n)
		for i := range parts {
			parts[i] = head
			parts[i].Part, parts[i].Parts, parts[i].Chunk = i, n, state[i*maxChunk:min((i+1)*maxChunk, len(state))]
		}
	}
	events := make([]eventstore.EventData, len(parts))
	for i, p := range parts {
		data, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("encode the snapshot of %s: %w", stream, err)
		}
		id := uuid.NewSHA1(snapshotNamespace, []byte(stream+"\x00"+strconv.FormatInt(st.revision, 10)+"\x00"+strconv.Itoa(i)))
		events[i] = eventstore.EventData{ID: id, Type: SnapshotEventType, Data: data}
	}
	if _, err := store.Append(ctx, SnapshotStream(stream), eventstore.Any, events...); err != nil {
		return fmt.Errorf("write the snapshot of %s at revision %d: %w", stream, st.revision, err)
	}
	return nil
}

// snapshotDue reports whether st has moved far enough past its latest
// snapshot to write a new one.
func snapshotDue[S any](agg Aggregate[S], st *loaded[S]) bool {
	return agg.Snapshot != nil && agg.Snapshot.Every > 0 && st.revision >= 0 && st.revision-st.snapshotAt >= int64(agg.Snapshot.Every)
}
