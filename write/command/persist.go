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

// storedSnapshot is the payload of a snapshot event.
type storedSnapshot struct {
	// V is the aggregate's Snapshot.Version of State.
	V int `json:"v"`
	// Revision is the revision of the last event folded into State.
	Revision int64 `json:"revision"`
	// Commit and Prepare are that event's global position.
	Commit  uint64          `json:"commit"`
	Prepare uint64          `json:"prepare"`
	State   json.RawMessage `json:"state"`
}

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
	var stored storedSnapshot
	if err := json.Unmarshal(events[0].Data, &stored); err != nil || stored.V != agg.Snapshot.Version {
		// Another schema (older code, or newer): fold the stream instead.
		return snapshotOf[S]{}, false, nil
	}
	state, err := agg.Snapshot.Decode(stored.State)
	if err != nil {
		return snapshotOf[S]{}, false, nil
	}
	return snapshotOf[S]{state: state, revision: stored.Revision, position: eventstore.Position{Commit: stored.Commit, Prepare: stored.Prepare}}, true, nil
}

// writeSnapshot persists st as the snapshot of stream. Two handlers that
// write the snapshot of one revision write one event: its id is derived
// from the stream and the revision.
func writeSnapshot[S any](ctx context.Context, store eventstore.Store, agg Aggregate[S], stream string, st *loaded[S]) error {
	state, err := agg.Snapshot.Encode(st.state)
	if err != nil {
		st.snapshotAt = st.revision
		return fmt.Errorf("encode the snapshot of %s: %w", stream, err)
	}
	data, err := json.Marshal(storedSnapshot{V: agg.Snapshot.Version, Revision: st.revision, Commit: st.position.Commit, Prepare: st.position.Prepare, State: state})
	if err != nil {
		return fmt.Errorf("encode the snapshot of %s: %w", stream, err)
	}
	id := uuid.NewSHA1(snapshotNamespace, []byte(stream+"\x00"+strconv.FormatInt(st.revision, 10)))
	// Whatever happens, the next try is Every events later: a snapshot
	// that cannot be stored (too large an event) is not tried per batch.
	st.snapshotAt = st.revision
	_, err = store.Append(ctx, SnapshotStream(stream), eventstore.Any, eventstore.EventData{ID: id, Type: SnapshotEventType, Data: data})
	if err != nil {
		return fmt.Errorf("write the snapshot of %s at revision %d: %w", stream, st.revision, err)
	}
	return nil
}

// snapshotDue reports whether st has moved far enough past its latest
// snapshot to write a new one.
func snapshotDue[S any](agg Aggregate[S], st *loaded[S]) bool {
	return agg.Snapshot != nil && agg.Snapshot.Every > 0 && st.revision >= 0 && st.revision-st.snapshotAt >= int64(agg.Snapshot.Every)
}
