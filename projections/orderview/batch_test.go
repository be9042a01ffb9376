package orderview

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/benchtest"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
)

// oneByOne is the orders projection without ApplyBatch: the runtime
// applies its events one at a time.
type oneByOne struct{ p *Projection }

func (o oneByOne) Name() string                  { return o.p.Name() }
func (o oneByOne) Version() int                  { return o.p.Version() }
func (o oneByOne) Tables(schema string) []string { return o.p.Tables(schema) }
func (o oneByOne) Views() []string               { return o.p.Views() }
func (o oneByOne) Apply(ctx context.Context, w *projections.Writer, e eventstore.RecordedEvent) error {
	return o.p.Apply(ctx, w, e)
}

// TestApplyBatchEqualsOneByOne rebuilds the orders read model from the
// same log applying each batch at once and then event by event: the
// tables and the parked events are the same. The log interleaves
// thousands of orders, and holds poison: an update of an order never
// placed, an undecodable event, an update before its placement and that
// placement at the wrong revision.
func TestApplyBatchEqualsOneByOne(t *testing.T) {
	e := readmodelstest.New(t)
	log := newOrderLog(7)
	benchtest.FillLog(t, e.URL, 12_000, log.event)
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	paid, _ := json.Marshal(order.Paid{V: order.PaidVersion, Amount: money.Money{Amount: 100, Currency: "EUR"}, PaidAt: at})
	placed, _ := json.Marshal(order.Placed{V: order.PlacedVersion, OrderID: "late", CustomerID: "c", Total: money.Money{Currency: "EUR"}, Channel: order.ChannelAPI, PlacedAt: at})
	for _, p := range []struct {
		stream string
		ev     eventstore.EventData
	}{
		{"order-ghost", eventstore.EventData{ID: uuid.New(), Type: order.TypePaid, Data: paid}},
		{"order-garbled", eventstore.EventData{ID: uuid.New(), Type: order.TypeConfirmed, Data: []byte(`{"v":1,"confirmedAt":"soon"}`)}},
		{"order-late", eventstore.EventData{ID: uuid.New(), Type: order.TypeConfirmed, Data: []byte(`{"v":1,"confirmedAt":"2025-01-01T00:00:00Z"}`)}},
		{"order-late", eventstore.EventData{ID: uuid.New(), Type: order.TypePlaced, Data: placed}},
	} {
		res, err := e.Store.Append(e.Ctx(), p.stream, eventstore.Any, p.ev)
		if err != nil {
			t.Fatal(err)
		}
		e.Wrote(res.Position)
	}
	benchtest.FillLog(t, e.URL, 3_000, log.event)
	// Both rebuilds must see the whole log: wait until its head shows the
	// last event stored.
	var commit, prepare int64
	if err := e.Pool.QueryRow(e.Ctx(), `SELECT transaction_id::text::bigint, position FROM eventstore.events ORDER BY transaction_id DESC, position DESC LIMIT 1`).Scan(&commit, &prepare); err != nil {
		t.Fatal(err)
	}
	e.Wrote(eventstore.Position{Commit: uint64(commit), Prepare: uint64(prepare)})
	e.Visible()

	build := func(p projections.Projection) (readmodelstest.Tables, map[uuid.UUID]string) {
		t.Helper()
		m := e.ManagerWith(projections.Config{Owner: "t", Projections: []projections.Projection{p}, RebuildBatchSize: 1000})
		if _, err := m.Rebuild(e.Ctx(), Name, nil); err != nil {
			t.Fatal(err)
		}
		tables, err := readmodelstest.Dump(e.Ctx(), e.Pool, Name)
		if err != nil {
			t.Fatal(err)
		}
		return tables, e.Parked(m, Name)
	}
	oneTables, oneParked := build(oneByOne{New()})
	batchTables, batchParked := build(New())
	if d := batchTables.Diff(oneTables); d != "" {
		t.Fatalf("batched differs from one by one:\n%s", d)
	}
	if len(oneParked) != 4 || len(batchParked) != len(oneParked) {
		t.Fatalf("parked one by one %v, batched %v; want the same 4", oneParked, batchParked)
	}
	for id, reason := range oneParked {
		if batchParked[id] != reason {
			t.Errorf("event %s parked for %q one by one, %q batched", id, reason, batchParked[id])
		}
	}
}
