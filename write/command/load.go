package command

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

// pageSize is how many events the handler reads from a stream at once.
const pageSize = 1000

// loaded is an aggregate folded from its stream, as a stream's writer
// keeps it.
type loaded[S any] struct {
	state    S
	revision int64 // -1 when the stream is empty
	position eventstore.Position
	// ids remembers where the stream's recent keyed events are.
	ids *window
	// snapshotAt is the revision of the latest persisted snapshot known;
	// -1 when there is none.
	snapshotAt int64
	// contended counts down the batches after a conflict with another
	// process, during which batches are decided on a clone of the state.
	contended int
	// first is the metadata of the stream's first event, when it was read
	// (not when the state came from a snapshot); lastID is the id of the
	// last event read.
	first  eventstore.Metadata
	lastID uuid.UUID
}

// contendedBatches is how many batches after a conflict are decided on a
// clone of the state.
const contendedBatches = 16

// Load returns the current state of aggregate id, or the zero state when
// its stream is empty. It reads the latest persisted snapshot and the
// events after it, and shares nothing with the commands running on the
// aggregate. Use it to answer a question of another context's aggregate,
// never to decide on it.
func Load[S any](ctx context.Context, h *Handler, agg Aggregate[S], id string) (S, error) {
	st, _, err := coldLoad(ctx, h, agg, agg.Stream(id))
	if err != nil {
		var zero S
		return zero, err
	}
	return st.state, nil
}

// Loaded is an aggregate folded from its stream, with what the stream's
// metadata says of it.
type Loaded[S any] struct {
	State S
	// Revision is the revision of the stream's last event; -1 when the
	// stream is empty.
	Revision int64
	// First is the metadata of the stream's first event: the request that
	// created the aggregate. It is zero when the stream is empty or the
	// aggregate was loaded from a snapshot.
	First eventstore.Metadata
	// LastID is the id of the stream's last event; uuid.Nil when the
	// stream is empty or ends in the snapshot it was loaded from.
	LastID uuid.UUID
}

// LoadStream is Load with the stream's revision and metadata: for a
// process that records its own events on the stream it loads (a saga),
// expecting the revision it saw.
func LoadStream[S any](ctx context.Context, h *Handler, agg Aggregate[S], id string) (Loaded[S], error) {
	st, _, err := coldLoad(ctx, h, agg, agg.Stream(id))
	if err != nil {
		return Loaded[S]{Revision: -1}, err
	}
	return Loaded[S]{State: st.state, Revision: st.revision, First: st.first, LastID: st.lastID}, nil
}

// coldLoad folds stream from its latest persisted snapshot, or from its
// start. It returns how many events of the stream it read.
func coldLoad[S any](ctx context.Context, h *Handler, agg Aggregate[S], stream string) (*loaded[S], int, error) {
	st := &loaded[S]{revision: -1, snapshotAt: -1, ids: newWindow(h.window)}
	if agg.Snapshot != nil {
		snap, ok, err := readSnapshot(ctx, h.store, agg, stream)
		if err != nil {
			return nil, 0, err
		}
		if ok {
			st.state, st.revision, st.position, st.snapshotAt = snap.state, snap.revision, snap.position, snap.revision
		}
	}
	n, err := catchUp(ctx, h, agg, stream, st)
	return st, n, err
}

// catchUp folds the events of stream after st's revision into st, in
// place, and returns how many it read.
func catchUp[S any](ctx context.Context, h *Handler, agg Aggregate[S], stream string, st *loaded[S]) (int, error) {
	read := 0
	// Read from st's own last event on: the stream is then never empty,
	// which saves the store asking whether it exists.
	known := st.revision
	for from := uint64(max(st.revision, 0)); ; {
		page, err := h.store.ReadStream(ctx, stream, eventstore.ReadOptions{From: from, Count: pageSize})
		if errors.Is(err, eventstore.ErrStreamNotFound) {
			return read, nil
		}
		if err != nil {
			return read, fmt.Errorf("load %s: %w", stream, err)
		}
		full := len(page) == pageSize
		if len(page) > 0 && known >= 0 && int64(page[0].Revision) == known {
			page = page[1:]
		}
		for _, r := range page {
			e, err := agg.Decode(r.Type, r.Data)
			if err != nil {
				return read, fmt.Errorf("load %s: event %d (%s): %w", stream, r.Revision, r.Type, err)
			}
			st.state = agg.Evolve(st.state, e)
			st.revision, st.position = int64(r.Revision), r.Position
			st.ids.add(r.ID, r.Revision)
			if r.Revision == 0 {
				st.first = r.Metadata
			}
			st.lastID = r.ID
		}
		read += len(page)
		if !full {
			return read, nil
		}
		from = uint64(st.revision) + 1
		known = -1
	}
}
