package timelineview_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/projections/timelineview"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/payment"
	"github.com/orderflow/orderflow/write/shipping"
)

// timelineRow is a row of readmodel.order_timeline.
type timelineRow struct {
	OrderID       string         `db:"order_id"`
	CommitPos     int64          `db:"commit_pos"`
	PreparePos    int64          `db:"prepare_pos"`
	EventID       uuid.UUID      `db:"event_id"`
	Stream        string         `db:"stream"`
	Revision      int64          `db:"revision"`
	Type          string         `db:"type"`
	OccurredAt    time.Time      `db:"occurred_at"`
	CorrelationID string         `db:"correlation_id"`
	CausationID   string         `db:"causation_id"`
	UserID        string         `db:"user_id"`
	Data          map[string]any `db:"data"`
}

// rowOf is the row event r makes in the timeline of order id.
func rowOf(t *testing.T, id string, r eventstore.RecordedEvent) timelineRow {
	t.Helper()
	var data map[string]any
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatal(err)
	}
	return timelineRow{OrderID: id, CommitPos: int64(r.Position.Commit), PreparePos: int64(r.Position.Prepare), EventID: r.ID,
		Stream: r.Stream, Revision: int64(r.Revision), Type: r.Type, OccurredAt: r.Recorded.UTC().Truncate(time.Microsecond),
		CorrelationID: r.Metadata.CorrelationID, CausationID: r.Metadata.CausationID, UserID: r.Metadata.UserID, Data: data}
}

// timeline reads the timeline of order id, in the log's order.
func timeline(t *testing.T, e *readmodelstest.Env, id string) []timelineRow {
	t.Helper()
	e.CaughtUp(timelineview.Name)
	return readmodelstest.Select[timelineRow](t, e.Pool, `SELECT * FROM readmodel.order_timeline WHERE order_id = $1 ORDER BY commit_pos, prepare_pos`, id)
}

// kinds lists "stream type" of each row.
func kinds(rows []timelineRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Stream + " " + r.Type
	}
	return out
}

// TestOrderLife follows an order through the write side: its timeline
// holds its order, payment and shipment events and the inventory events
// about it, in the log's order, with their ids, positions, metadata and
// data; nothing of another order, nor inventory events about no order.
func TestOrderLife(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	m := e.Manager("a", timelineview.New())
	e.Run(m)
	e.Product("A", "Anvil", readmodelstest.EUR(1999), 10)
	e.Product("B", "Bolt", readmodelstest.EUR(500), 10)
	const id, other = "o-1", "o-2"
	e.Place(id, "c-1", order.LineRequest{SKU: "A", Quantity: 1}, order.LineRequest{SKU: "B", Quantity: 2})
	e.Place(other, "c-2", order.LineRequest{SKU: "B", Quantity: 1})
	e.Inventory("A", inventory.Reserve{OrderID: id, Quantity: 1})
	e.Inventory("B", inventory.Reserve{OrderID: other, Quantity: 1})
	e.Inventory("B", inventory.Reserve{OrderID: id, Quantity: 2})
	e.Order(id, order.Confirm{})
	e.Inventory("A", inventory.AddStock{Quantity: 5})
	e.Payment(id, payment.Request{OrderID: id, Amount: readmodelstest.EUR(2999)})
	e.Payment(id, payment.Capture{ChargeID: "ch-1", Amount: readmodelstest.EUR(2999)})
	e.Order(id, order.MarkPaid{Amount: readmodelstest.EUR(2999), ChargeID: "ch-1"})
	e.Shipment(id, shipping.Schedule{OrderID: id, Address: shipping.Address(readmodelstest.Address("DE")), Carrier: "DHL", ServedCountries: []string{"DE"}})
	e.Dispatched(id, "TRK-1")
	e.Delivered(id)
	e.Order(other, order.Cancel{Reason: "changed my mind", ByCustomer: true})

	got := timeline(t, e, id)
	wantKinds := []string{
		"order-o-1 order.placed",
		"inventory-A inventory.stock_reserved",
		"inventory-B inventory.stock_reserved",
		"order-o-1 order.confirmed",
		"payment-o-1 payment.requested",
		"payment-o-1 payment.captured",
		"order-o-1 order.paid",
		"shipment-o-1 shipping.shipment_scheduled",
		"shipment-o-1 shipping.shipment_dispatched",
		"inventory-A inventory.stock_shipped",
		"inventory-B inventory.stock_shipped",
		"order-o-1 order.shipped",
		"shipment-o-1 shipping.shipment_delivered",
		"order-o-1 order.delivered",
	}
	if !slices.Equal(kinds(got), wantKinds) {
		t.Fatalf("timeline of %s:\n got %q\nwant %q", id, kinds(got), wantKinds)
	}
	// Every row is its event, whole: find each in the log.
	var want []timelineRow
	log := e.Log()
	for _, r := range got {
		i := slices.IndexFunc(log, func(ev eventstore.RecordedEvent) bool { return ev.ID == r.EventID })
		if i < 0 {
			t.Fatalf("row %+v: no such event", r)
		}
		want = append(want, rowOf(t, id, log[i]))
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("timeline rows:\n got %+v\nwant %+v", got, want)
	}
	for _, r := range got {
		if r.CorrelationID != readmodelstest.CorrelationID || r.CausationID != readmodelstest.CommandID || r.UserID != readmodelstest.UserID {
			t.Fatalf("row %s %s carries metadata %q %q %q", r.Stream, r.Type, r.CorrelationID, r.CausationID, r.UserID)
		}
	}
	if kinds := kinds(timeline(t, e, other)); !slices.Equal(kinds, []string{"order-o-2 order.placed", "inventory-B inventory.stock_reserved", "order-o-2 order.cancelled"}) {
		t.Fatalf("timeline of %s: %q", other, kinds)
	}
	if parked := e.Parked(m, timelineview.Name); len(parked) != 0 {
		t.Fatalf("events parked: %v", parked)
	}
}

// TestSaga runs fulfillment sagas that compensate: the timeline of each
// order holds exactly the events of its order, payment, shipment and
// fulfillment streams and the inventory events that name it.
func TestSaga(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	saga := e.StartSaga(time.Minute)
	m := e.Manager("a", timelineview.New())
	e.Run(m)
	e.Product("A", "Anvil", readmodelstest.EUR(1999), 10)
	e.Product("B", "Bolt", readmodelstest.EUR(500), 1)

	cases := []struct {
		name    string
		country string
		lines   []order.LineRequest
		types   []string // some of the event types the timeline must hold
	}{
		{"shipment rejected", "US", []order.LineRequest{{SKU: "A", Quantity: 1}},
			[]string{fulfillment.TypeStarted, payment.TypeRefunded, shipping.TypeShipmentRejected,
				inventory.TypeReservationReleased, order.TypeCancelled, fulfillment.TypeCompensated}},
		{"out of stock", "DE", []order.LineRequest{{SKU: "A", Quantity: 1}, {SKU: "B", Quantity: 3}},
			[]string{inventory.TypeStockReserved, inventory.TypeStockReservationRejected, inventory.TypeReservationReleased, order.TypeCancelled}},
		{"completed", "DE", []order.LineRequest{{SKU: "A", Quantity: 2}},
			[]string{payment.TypeCaptured, order.TypePaid, shipping.TypeShipmentScheduled, fulfillment.TypeCompleted}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := e.For(t)
			id := uuid.NewString()
			if _, err := saga.Service.PlaceOrder(e.Ctx(), command.Meta{}, order.Place{OrderID: id, CustomerID: "c-1", Lines: c.lines,
				ShippingAddress: readmodelstest.Address(c.country)}); err != nil {
				t.Fatal(err)
			}
			saga.For(e).Finished(id)
			var want []timelineRow
			for _, r := range e.Log() {
				if concerns(t, r, id) {
					want = append(want, rowOf(t, id, r))
				}
			}
			got := timeline(t, e, id)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("timeline of %s:\n got %q\nwant %q", id, kinds(got), kinds(want))
			}
			var types []string
			for _, r := range got {
				types = append(types, r.Type)
			}
			for _, typ := range c.types {
				if !slices.Contains(types, typ) {
					t.Errorf("no %s in the timeline %q", typ, types)
				}
			}
		})
	}
	if parked := e.Parked(m, timelineview.Name); len(parked) != 0 {
		t.Fatalf("events parked: %v", parked)
	}
}

// concerns reports whether r concerns order id, as the read model's
// documentation says: an event of its order, payment, shipment or
// fulfillment stream, or an inventory event whose data names it.
func concerns(t *testing.T, r eventstore.RecordedEvent, id string) bool {
	for _, category := range []string{order.Category, payment.Category, shipping.Category, fulfillment.Category} {
		if r.Stream == category+"-"+id {
			return true
		}
	}
	if r.Category() != inventory.Category {
		return false
	}
	var data struct {
		OrderID string `json:"orderId"`
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatal(err)
	}
	return data.OrderID == id
}

// TestRefused appends events the projection must refuse, and events it
// must ignore: the refused ones are parked with a reason that says why
// and leave no rows.
func TestRefused(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	m := e.Manager("a", timelineview.New())
	e.Run(m)

	refused := []struct {
		name, stream, typ, data, reason string
	}{
		{"undecodable order event", "order-o-1", order.TypeConfirmed, `{"v":1,"confirmedAt":5}`, "malformed event payload"},
		{"undecodable inventory event", "inventory-A", inventory.TypeStockReserved, `{"v":1,"orderId":["o-1"]}`, "malformed event payload"},
		{"payment requested for another order", "payment-o-1", payment.TypeRequested,
			`{"v":1,"orderId":"o-9","amount":{"amount":5,"currency":"EUR"},"requestedAt":"2025-03-01T09:00:00Z"}`, `names order "o-9"`},
		{"shipment of another order", "shipment-o-1", shipping.TypeShipmentDelivered,
			`{"v":1,"orderId":"o-9","deliveredAt":"2025-03-01T09:00:00Z"}`, `names order "o-9"`},
	}
	ids := make(map[string]uuid.UUID)
	for _, r := range refused {
		ids[r.name] = e.Raw(r.stream, r.typ, r.data)
	}
	e.Raw("order-o-1", "order.noted", `{"v":1}`)
	e.Raw("inventory-A", inventory.TypeStockAdded, `{"v":1,"sku":"A","quantity":1,"addedAt":"2025-03-01T09:00:00Z"}`)
	e.Raw("counter-1", "counter.added", `{"amount":1}`)
	kept := e.Raw("fulfillment-o-1", fulfillment.TypeCancelRequested, `{"v":1,"reason":"r","at":"2025-03-01T09:00:00Z"}`)
	e.CaughtUp(timelineview.Name)

	parked := e.Parked(m, timelineview.Name)
	if len(parked) != len(refused) {
		t.Errorf("%d events parked, want %d: %v", len(parked), len(refused), parked)
	}
	for _, r := range refused {
		if reason := parked[ids[r.name]]; !strings.Contains(reason, r.reason) {
			t.Errorf("%s: parked for %q, want a reason containing %q", r.name, reason, r.reason)
		}
	}
	got := readmodelstest.Select[timelineRow](t, e.Pool, `SELECT * FROM readmodel.order_timeline`)
	if len(got) != 1 || got[0].EventID != kept || got[0].OrderID != "o-1" || got[0].UserID != "" {
		t.Fatalf("timeline = %+v, want the cancellation request alone, with no user", got)
	}
}
