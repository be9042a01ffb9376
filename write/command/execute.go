package command

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/domain"
)

// DefaultAttempts is how often Execute decides before giving up on a
// stream that keeps changing under it.
const DefaultAttempts = 8

// pageSize is how many events Execute reads from a stream at once.
const pageSize = 1000

// Handler executes commands against one event store. It is safe for
// concurrent use.
type Handler struct {
	store     eventstore.Store
	now       func() time.Time
	attempts  int
	snapshots *snapshots
	observer  Observer
}

// NewHandler returns a Handler that appends to store and takes the time of
// each decision from now.
func NewHandler(store eventstore.Store, now func() time.Time) *Handler {
	return &Handler{store: store, now: now, attempts: DefaultAttempts, snapshots: newSnapshots(DefaultSnapshots)}
}

// Store returns the event store the handler appends to.
func (h *Handler) Store() eventstore.Store { return h.store }

// Result is the outcome of a command that succeeded.
type Result struct {
	// Stream is the aggregate's stream.
	Stream string
	// Revision is the stream's revision after the command; for a command
	// that changed nothing, the revision it saw (-1: the stream is empty).
	Revision int64
	// Position is the global position of the last event written, or of the
	// last event of the stream for a command that changed nothing.
	Position eventstore.Position
	// Events are the events the command caused (or, for a replay, had
	// caused); none when it changed nothing.
	Events []domain.Event
	// Replayed reports that the idempotency key had been used already: the
	// original result is returned and nothing was written.
	Replayed bool
}

// Decider decides what a command does to the current state at time now.
type Decider[S any] func(state S, now time.Time) ([]domain.Event, error)

// ErrTooManyConflicts is returned when the stream changed under the command
// on every attempt.
var ErrTooManyConflicts = errors.New("the aggregate kept changing; try again")

// Execute loads aggregate id, runs decide and appends the events it returns
// with the revision it saw. When another writer appended in between, it
// reloads and decides again, up to DefaultAttempts times. Domain errors
// come back unchanged (match them with errors.Is against domain.ErrInvalid,
// domain.ErrRule, domain.ErrNotFound).
func Execute[S any](ctx context.Context, h *Handler, agg Aggregate[S], id string, meta Meta, decide Decider[S]) (Result, error) {
	res, err := execute(ctx, h, agg, id, meta, decide)
	h.observe(agg.Category, res, err)
	return res, err
}

// execute is Execute without the report to the observer.
func execute[S any](ctx context.Context, h *Handler, agg Aggregate[S], id string, meta Meta, decide Decider[S]) (Result, error) {
	stream := agg.Stream(id)
	// The first attempt trusts the handler's snapshot without reading the
	// stream: appending with the snapshot's revision proves it current, and
	// a conflict sends the command back to read. A decision that appends
	// nothing (a no-op, a refusal) proves nothing, so it is made again on
	// what the stream says.
	optimistic := true
	for attempt := 1; ; attempt++ {
		state, fresh, err := load(ctx, h, agg, stream, optimistic)
		if err != nil {
			return Result{}, err
		}
		if meta.IdempotencyKey != "" {
			res, ok, err := replay(ctx, h.store, agg, stream, meta.IdempotencyKey, state.ids)
			if err != nil || ok {
				return res, err
			}
		}
		events, err := decide(state.state, h.now())
		if (err != nil || len(events) == 0) && !fresh {
			optimistic = false
			attempt--
			continue
		}
		if err != nil {
			return Result{}, err
		}
		if len(events) == 0 {
			return Result{Stream: stream, Revision: state.revision, Position: state.position}, nil
		}
		data, err := encode(stream, events, meta)
		if err != nil {
			return Result{}, err
		}
		expected := eventstore.NoStream
		if state.revision >= 0 {
			expected = eventstore.Exact(uint64(state.revision))
		}
		res, err := h.store.Append(ctx, stream, expected, data...)
		var conflict *eventstore.ConflictError
		if errors.As(err, &conflict) {
			h.conflict(agg.Category)
		}
		if errors.As(err, &conflict) && !fresh {
			optimistic = false // the snapshot was behind: read, and go again at once
			attempt--
			continue
		}
		if errors.As(err, &conflict) && attempt < h.attempts {
			if err := backoff(ctx, attempt); err != nil {
				return Result{}, err
			}
			continue
		}
		if errors.As(err, &conflict) {
			return Result{}, fmt.Errorf("%s: %w", stream, ErrTooManyConflicts)
		}
		if err != nil {
			return Result{}, err
		}
		remember(h, agg, stream, state, events, data, res)
		return Result{Stream: stream, Revision: int64(res.Revision), Position: res.Position, Events: events}, nil
	}
}

// loadedState is an aggregate folded from its stream.
type loadedState[S any] struct {
	state    S
	revision int64 // -1 when the stream is empty
	position eventstore.Position
	// ids maps the id of every event of the stream to its revision.
	ids map[uuid.UUID]uint64
}

// load folds the stream: from the handler's snapshot when the aggregate can
// be cloned (reading only newer events), else from its start. With
// trustSnapshot it returns the snapshot without reading at all; fresh then
// reports false.
func load[S any](ctx context.Context, h *Handler, agg Aggregate[S], stream string, trustSnapshot bool) (st loadedState[S], fresh bool, err error) {
	st = loadedState[S]{revision: -1}
	snap, cached := h.snapshots.get(stream)
	cached = cached && agg.Clone != nil
	if cached {
		st.state, st.revision, st.position = agg.Clone(snap.state.(S)), snap.revision, snap.position
		if trustSnapshot {
			st.ids = snap.ids
			return st, false, nil
		}
	}
	var tail []eventstore.RecordedEvent
	// From a snapshot, read from its own last event on: the stream is then
	// never empty, which saves the store asking whether it exists.
	for from := uint64(max(st.revision, 0)); ; {
		page, err := h.store.ReadStream(ctx, stream, eventstore.ReadOptions{From: from, Count: pageSize})
		if errors.Is(err, eventstore.ErrStreamNotFound) {
			break
		}
		if err != nil {
			return st, true, fmt.Errorf("load %s: %w", stream, err)
		}
		if len(page) > 0 && cached && int64(page[0].Revision) == snap.revision {
			page = page[1:]
			from++
		}
		for _, r := range page {
			e, err := agg.Decode(r.Type, r.Data)
			if err != nil {
				return st, true, fmt.Errorf("load %s: event %d (%s): %w", stream, r.Revision, r.Type, err)
			}
			st.state = agg.Evolve(st.state, e)
			st.revision, st.position = int64(r.Revision), r.Position
		}
		tail = append(tail, page...)
		if len(page) == 0 || len(page) < pageSize-1 {
			break
		}
		from = page[len(page)-1].Revision + 1
	}
	if cached && len(tail) == 0 {
		st.ids = snap.ids
		return st, true, nil
	}
	st.ids = make(map[uuid.UUID]uint64, len(tail)+8)
	if cached {
		maps.Copy(st.ids, snap.ids)
	}
	for _, r := range tail {
		st.ids[r.ID] = r.Revision
	}
	if agg.Clone != nil && st.revision >= 0 {
		h.snapshots.put(stream, &snapshot{state: agg.Clone(st.state), revision: st.revision, position: st.position, ids: st.ids})
	}
	return st, true, nil
}

// remember stores the state a command left behind, so the next command on
// the aggregate starts from it.
func remember[S any](h *Handler, agg Aggregate[S], stream string, st loadedState[S], events []domain.Event, data []eventstore.EventData, res eventstore.AppendResult) {
	if agg.Clone == nil {
		return
	}
	state := st.state
	for _, e := range events {
		state = agg.Evolve(state, e)
	}
	ids := maps.Clone(st.ids)
	if ids == nil {
		ids = make(map[uuid.UUID]uint64, len(data))
	}
	first := res.Revision + 1 - uint64(len(data))
	for i, d := range data {
		ids[d.ID] = first + uint64(i)
	}
	h.snapshots.put(stream, &snapshot{state: state, revision: int64(res.Revision), position: res.Position, ids: ids})
}

// replay finds the events an earlier run of the same command (same
// idempotency key) wrote to the stream, and returns its result again.
func replay[S any](ctx context.Context, store eventstore.Store, agg Aggregate[S], stream, key string, ids map[uuid.UUID]uint64) (Result, bool, error) {
	rev, ok := ids[EventID(stream, key, 0)]
	if !ok {
		return Result{}, false, nil
	}
	stored, err := store.ReadStream(ctx, stream, eventstore.ReadOptions{From: rev, Count: pageSize})
	if err != nil {
		return Result{}, false, fmt.Errorf("replay %s: %w", stream, err)
	}
	res := Result{Stream: stream, Replayed: true}
	for i, r := range stored {
		if r.ID != EventID(stream, key, i) {
			break
		}
		e, err := agg.Decode(r.Type, r.Data)
		if err != nil {
			return Result{}, false, fmt.Errorf("replay %s: %w", stream, err)
		}
		res.Events = append(res.Events, e)
		res.Revision, res.Position = int64(r.Revision), r.Position
	}
	return res, true, nil
}

func encode(stream string, events []domain.Event, meta Meta) ([]eventstore.EventData, error) {
	md := meta.eventMetadata()
	out := make([]eventstore.EventData, len(events))
	for i, e := range events {
		data, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode %s for %s: %w", e.EventType(), stream, err)
		}
		id := uuid.New()
		if meta.IdempotencyKey != "" {
			id = EventID(stream, meta.IdempotencyKey, i)
		}
		out[i] = eventstore.EventData{ID: id, Type: e.EventType(), Data: data, Metadata: md}
	}
	return out, nil
}

// backoff waits a little, more after each conflict, with jitter so that
// contending writers spread out.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(attempt*attempt) * time.Millisecond
	d += time.Duration(rand.Int64N(int64(d) + 1))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
