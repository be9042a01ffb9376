// Package projectionstest holds what the tests of the projection runtime
// and its users share: Counter, a small projection, and helpers that
// compute and read its read model; Doubling, a store that delivers every
// event twice.
package projectionstest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
)

// Counter is a projection that keeps, per stream, the number of events,
// the sum of their "amount" fields and the highest revision. Its rows do not
// depend on the order events arrive in, so a redriven event leaves them as
// if it had never been parked; only applying an event twice (or never)
// changes them. Version 2 of it
// drops the sum and keeps the last event type instead, so that a version
// change shows in the read model.
//
// Its one table (and view) is named like the projection. Event data must
// be a JSON object whose "amount", if present, is an integer; anything else
// is refused as undecodable.
type Counter struct {
	name    string
	version int
	reject  atomic.Pointer[func(eventstore.RecordedEvent) error]
}

var _ projections.Projection = (*Counter)(nil)

// NewCounter returns a Counter named name at version 1 or 2.
func NewCounter(name string, version int) *Counter {
	return &Counter{name: name, version: version}
}

// Reject makes Apply refuse the events for which f returns an error; nil
// accepts every decodable event again. It is safe to call at any time.
func (c *Counter) Reject(f func(eventstore.RecordedEvent) error) {
	if f == nil {
		c.reject.Store(nil)
		return
	}
	c.reject.Store(&f)
}

// Name implements projections.Projection.
func (c *Counter) Name() string { return c.name }

// Version implements projections.Projection.
func (c *Counter) Version() int { return c.version }

// Tables implements projections.Projection.
func (c *Counter) Tables(schema string) []string {
	if c.version >= 2 {
		return []string{fmt.Sprintf(`CREATE TABLE %s.%s (
    stream        text   PRIMARY KEY,
    events        bigint NOT NULL,
    last_revision bigint NOT NULL,
    last_type     text   NOT NULL)`, schema, c.name)}
	}
	return []string{fmt.Sprintf(`CREATE TABLE %s.%s (
    stream        text   PRIMARY KEY,
    events        bigint NOT NULL,
    total         bigint NOT NULL,
    last_revision bigint NOT NULL)`, schema, c.name)}
}

// Views implements projections.Projection.
func (c *Counter) Views() []string { return []string{c.name} }

// Apply implements projections.Projection.
func (c *Counter) Apply(_ context.Context, w *projections.Writer, e eventstore.RecordedEvent) error {
	amount, err := decodeAmount(e)
	if err != nil {
		return err
	}
	if f := c.reject.Load(); f != nil {
		if err := (*f)(e); err != nil {
			return err
		}
	}
	if c.version >= 2 {
		w.Exec(fmt.Sprintf(`INSERT INTO %[1]s.%[2]s AS t (stream, events, last_revision, last_type) VALUES ($1, 1, $2, $3)
ON CONFLICT (stream) DO UPDATE SET events = t.events + 1, last_revision = greatest(t.last_revision, excluded.last_revision),
    last_type = CASE WHEN excluded.last_revision > t.last_revision THEN excluded.last_type ELSE t.last_type END`,
			w.Schema(), c.name), e.Stream, int64(e.Revision), e.Type)
		return nil
	}
	w.Exec(fmt.Sprintf(`INSERT INTO %[1]s.%[2]s AS t (stream, events, total, last_revision) VALUES ($1, 1, $2, $3)
ON CONFLICT (stream) DO UPDATE SET events = t.events + 1, total = t.total + excluded.total,
    last_revision = greatest(t.last_revision, excluded.last_revision)`,
		w.Schema(), c.name), e.Stream, amount, int64(e.Revision))
	return nil
}

// decodeAmount reads the event's amount (0 when absent).
func decodeAmount(e eventstore.RecordedEvent) (int64, error) {
	var d struct {
		Amount *int64 `json:"amount"`
	}
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return 0, fmt.Errorf("undecodable %s event: %w", e.Type, err)
	}
	if d.Amount == nil {
		return 0, nil
	}
	return *d.Amount, nil
}

// Event returns an event of type typ carrying amount, with a fresh id.
func Event(typ string, amount int64) eventstore.EventData {
	return eventstore.EventData{ID: uuid.New(), Type: typ, Data: fmt.Appendf(nil, `{"amount":%d}`, amount)}
}

// Undecodable returns an event Counter refuses to decode.
func Undecodable(typ string) eventstore.EventData {
	return eventstore.EventData{ID: uuid.New(), Type: typ, Data: []byte(`{"amount":"many"}`)}
}
