package fulfillmentview

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/domain"
)

// Name is the projection's name.
const Name = "fulfillment"

// Projection keeps the fulfillment read model. It has no state of its own
// and is safe for concurrent use.
type Projection struct{}

var _ projections.Projection = (*Projection)(nil)

// New returns the fulfillment projection.
func New() *Projection { return &Projection{} }

// Name implements projections.Projection.
func (*Projection) Name() string { return Name }

// Version implements projections.Projection. Version 3 added the index
// fulfillment_history_by_time.
func (*Projection) Version() int { return 3 }

// Views implements projections.Projection: fulfillments and
// fulfillment_history.
func (*Projection) Views() []string { return []string{"fulfillments", "fulfillment_history"} }

// Apply implements projections.Projection. For every event of a
// fulfillment-{id} stream it reads the saga's events kept so far (one
// query), folds them and this one with fulfillment.Evolve in stream
// order, and writes the saga's row, the event's history entry (with the
// event's id and causation id, and for a step's record the id of the
// step's command) and the event itself. It ignores every other event, and saga event types it
// does not know. A saga event it cannot decode, one whose revision was
// applied already, a saga whose first event is not fulfillment.started,
// and a start that names another order are refused.
func (*Projection) Apply(ctx context.Context, w *projections.Writer, e eventstore.RecordedEvent) error {
	id, ok := strings.CutPrefix(e.Stream, fulfillment.Category+"-")
	if !ok {
		return nil
	}
	ev, err := fulfillment.Decode(e.Type, e.Data)
	if errors.Is(err, domain.ErrUnknownEventType) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("saga of order %s revision %d: %w", id, e.Revision, err)
	}
	if s, ok := ev.(fulfillment.Started); ok && s.OrderID != id {
		return fmt.Errorf("saga of order %s: %s names order %q", id, e.Type, s.OrderID)
	}
	events, err := load(ctx, w, id)
	if err != nil {
		return err
	}
	this := sagaEvent{seq: int64(e.Revision), event: ev, recorded: e.Recorded}
	at, found := slices.BinarySearchFunc(events, this.seq, func(s sagaEvent, seq int64) int { return int(s.seq - seq) })
	if found {
		return fmt.Errorf("saga of order %s: revision %d applied already", id, e.Revision)
	}
	events = slices.Insert(events, at, this)

	var (
		state fulfillment.State
		entry fulfillment.HistoryEntry
	)
	for i, s := range events {
		before := len(state.History)
		state = fulfillment.Evolve(state, s.event)
		if i == at && len(state.History) > before {
			entry = state.History[before]
		}
	}
	if !state.Started() {
		return fmt.Errorf("saga of order %s: %s at revision %d, and no %s before it", id, e.Type, e.Revision, fulfillment.TypeStarted)
	}
	r := summarize(state, events[len(events)-1])
	schema := w.Schema()
	w.Exec(keepSQL(schema), id, this.seq, e.Type, e.Data, e.Recorded)
	var command *string
	if rec, ok := ev.(fulfillment.StepRecorded); ok {
		c := fulfillment.StepCommandID(id, rec.Step)
		command = &c
	}
	w.Exec(historySQL(schema), id, this.seq, entry.Step, string(entry.Outcome), entry.Detail, entry.At, e.ID, e.Metadata.CausationID, command)
	w.Exec(saveSQL(schema), id, r.customerID, r.state, r.step, r.lastError, r.reason, r.deadline, r.retryAt, r.startedAt, r.updatedAt, r.revision)
	return nil
}

// load reads and decodes the events of the saga of order id kept so far,
// in stream order.
func load(ctx context.Context, w *projections.Writer, id string) ([]sagaEvent, error) {
	rows, err := w.Query(ctx, loadSQL(w.Schema()), id)
	if err != nil {
		return nil, fmt.Errorf("saga of order %s: read its events: %w", id, err)
	}
	defer rows.Close()
	var events []sagaEvent
	for rows.Next() {
		var (
			s        sagaEvent
			typ      string
			data     []byte
			recorded time.Time
		)
		if err := rows.Scan(&s.seq, &typ, &data, &recorded); err != nil {
			return nil, fmt.Errorf("saga of order %s: read its events: %w", id, err)
		}
		if s.event, err = fulfillment.Decode(typ, data); err != nil {
			return nil, fmt.Errorf("saga of order %s: kept event %d: %w", id, s.seq, err)
		}
		s.recorded = recorded
		events = append(events, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("saga of order %s: read its events: %w", id, err)
	}
	return events, nil
}
