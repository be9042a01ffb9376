package fulfillmentview_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/projections/fulfillmentview"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/order"
)

// fulfillmentRow is a row of readmodel.fulfillments.
type fulfillmentRow struct {
	OrderID    string             `db:"order_id"`
	CustomerID string             `db:"customer_id"`
	State      string             `db:"state"`
	Step       string             `db:"step"`
	LastError  pgtype.Text        `db:"last_error"`
	Reason     pgtype.Text        `db:"reason"`
	Deadline   pgtype.Timestamptz `db:"deadline"`
	RetryAt    pgtype.Timestamptz `db:"retry_at"`
	StartedAt  time.Time          `db:"started_at"`
	UpdatedAt  time.Time          `db:"updated_at"`
	Revision   int64              `db:"revision"`
}

// historyRow is a row of readmodel.fulfillment_history.
type historyRow struct {
	OrderID     string      `db:"order_id"`
	Seq         int64       `db:"seq"`
	Step        string      `db:"step"`
	Outcome     string      `db:"outcome"`
	Detail      string      `db:"detail"`
	At          time.Time   `db:"at"`
	EventID     uuid.UUID   `db:"event_id"`
	CausationID string      `db:"causation_id"`
	CommandID   pgtype.Text `db:"command_id"`
}

// utc is t in UTC at the database's precision.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// history is what each event of a saga stream says happened, read from
// the events' own fields.
func history(t *testing.T, e *readmodelstest.Env, id string) []historyRow {
	t.Helper()
	var out []historyRow
	for _, r := range e.Stream(fulfillment.StreamID(id)) {
		ev, err := fulfillment.Decode(r.Type, r.Data)
		if err != nil {
			t.Fatal(err)
		}
		h := historyRow{OrderID: id, Seq: int64(r.Revision), Outcome: "done", EventID: r.ID, CausationID: r.Metadata.CausationID}
		switch ev := ev.(type) {
		case fulfillment.Started:
			h.Step, h.At = "started", ev.StartedAt
		case fulfillment.StepRecorded:
			h.Step, h.Outcome, h.Detail, h.At = ev.Step.String(), string(ev.Outcome), ev.Detail, ev.At
			h.CommandID = pgtype.Text{String: "fulfillment/" + id + "/" + ev.Step.String(), Valid: true}
		case fulfillment.CancelRequested:
			h.Step, h.Detail, h.At = "cancel_requested", ev.Reason, ev.At
		case fulfillment.CompensationStarted:
			h.Step, h.Detail, h.At = "compensation_started", ev.Reason, ev.At
		case fulfillment.Completed:
			h.Step, h.At = "completed", ev.At
		case fulfillment.Compensated:
			h.Step, h.Detail, h.At = "compensated", ev.Reason, ev.At
		}
		h.At = utc(h.At)
		out = append(out, h)
	}
	return out
}

// steps lists the step and outcome of each history row.
func steps(rows []historyRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Step + " " + r.Outcome
	}
	return out
}

// check compares the rows of order id's saga with want and with the
// history its stream tells, and the steps with wantSteps (nil: not
// checked).
func check(t *testing.T, e *readmodelstest.Env, id string, want fulfillmentRow, wantSteps []string) {
	t.Helper()
	events := e.Stream(fulfillment.StreamID(id))
	last := events[len(events)-1]
	want.OrderID, want.UpdatedAt, want.Revision = id, utc(last.Recorded), int64(last.Revision)
	e.CaughtUp(fulfillmentview.Name)
	got := readmodelstest.Select[fulfillmentRow](t, e.Pool, `SELECT * FROM readmodel.fulfillments WHERE order_id = $1`, id)
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("fulfillments rows:\n got %+v\nwant %+v", got, want)
	}
	hist := readmodelstest.Select[historyRow](t, e.Pool, `SELECT * FROM readmodel.fulfillment_history WHERE order_id = $1 ORDER BY seq`, id)
	if wantHist := history(t, e, id); !reflect.DeepEqual(hist, wantHist) {
		t.Errorf("fulfillment_history rows:\n got %+v\nwant %+v", hist, wantHist)
	}
	if wantSteps != nil && !reflect.DeepEqual(steps(hist), wantSteps) {
		t.Errorf("steps:\n got %q\nwant %q", steps(hist), wantSteps)
	}
}

// started returns the start of order id's saga.
func started(t *testing.T, e *readmodelstest.Env, id string) fulfillment.Started {
	t.Helper()
	first := e.Stream(fulfillment.StreamID(id))[0]
	ev, err := fulfillment.Decode(first.Type, first.Data)
	if err != nil {
		t.Fatal(err)
	}
	return ev.(fulfillment.Started)
}

func TestSagaPaths(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	const paymentTimeout = 3 * time.Second
	saga := e.StartSaga(paymentTimeout)
	e.Product("A", "Anvil", readmodelstest.EUR(1999), 10)
	e.Product("B", "Bolt", readmodelstest.EUR(500), 1)
	e.Product("D", "Dud", readmodelstest.EUR(1002), 10) // the sandbox declines amounts ending in 02
	m := e.Manager("a", fulfillmentview.New())
	e.Run(m)

	place := func(e *readmodelstest.Env, country string, lines ...order.LineRequest) string {
		id := uuid.NewString()
		_, err := saga.Service.PlaceOrder(e.Ctx(), command.Meta{}, order.Place{OrderID: id, CustomerID: "c-" + country, Lines: lines,
			ShippingAddress: readmodelstest.Address(country)})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}

	t.Run("completed", func(t *testing.T) {
		e := e.For(t)
		saga := saga.For(e)
		id := place(e, "DE", order.LineRequest{SKU: "A", Quantity: 2}, order.LineRequest{SKU: "B", Quantity: 1})
		saga.Finished(id)
		check(t, e, id, fulfillmentRow{CustomerID: "c-DE", State: "COMPLETED", Step: "completed", StartedAt: utc(started(t, e, id).StartedAt)},
			[]string{"started done", "reserve:A done", "reserve:B done", "confirm_order done", "request_payment done", "charge done",
				"record_capture done", "mark_paid done", "schedule_shipment done", "completed done"})
	})

	t.Run("out of stock", func(t *testing.T) {
		e := e.For(t)
		saga := saga.For(e)
		id := place(e, "DE", order.LineRequest{SKU: "A", Quantity: 1}, order.LineRequest{SKU: "B", Quantity: 5})
		s := saga.Finished(id)
		if !strings.HasPrefix(s.Reason, "reserve:B: ") {
			t.Fatalf("the saga compensates for %q", s.Reason)
		}
		check(t, e, id, fulfillmentRow{CustomerID: "c-DE", State: "COMPENSATED", Step: "compensated",
			LastError: readmodelstest.Text(s.LastError), Reason: readmodelstest.Text(s.Reason), StartedAt: utc(started(t, e, id).StartedAt)},
			[]string{"started done", "reserve:A done", "reserve:B rejected", "release:B done", "release:A done", "cancel_order done", "compensated done"})
	})

	t.Run("declined", func(t *testing.T) {
		e := e.For(t)
		saga := saga.For(e)
		id := place(e, "DE", order.LineRequest{SKU: "D", Quantity: 1})
		s := saga.Finished(id)
		if !strings.HasPrefix(s.Reason, "charge: ") {
			t.Fatalf("the saga compensates for %q", s.Reason)
		}
		check(t, e, id, fulfillmentRow{CustomerID: "c-DE", State: "COMPENSATED", Step: "compensated",
			LastError: readmodelstest.Text(s.LastError), Reason: readmodelstest.Text(s.Reason), StartedAt: utc(started(t, e, id).StartedAt)},
			[]string{"started done", "reserve:D done", "confirm_order done", "request_payment done", "charge rejected",
				"refund done", "release:D done", "cancel_order done", "compensated done"})
	})

	t.Run("shipment rejected: refunded", func(t *testing.T) {
		e := e.For(t)
		saga := saga.For(e)
		id := place(e, "US", order.LineRequest{SKU: "A", Quantity: 1})
		s := saga.Finished(id)
		check(t, e, id, fulfillmentRow{CustomerID: "c-US", State: "COMPENSATED", Step: "compensated",
			LastError: readmodelstest.Text(s.LastError), Reason: readmodelstest.Text(s.Reason), StartedAt: utc(started(t, e, id).StartedAt)},
			nil)
	})

	t.Run("waiting for the provider, then past the deadline", func(t *testing.T) {
		e := e.For(t)
		saga := saga.For(e)
		saga.Controls(sandbox.Controls{Outage: true})
		id := place(e, "FR", order.LineRequest{SKU: "A", Quantity: 1})
		saga.Until(id, "park its charge", func(s fulfillment.State) bool { return !s.RetryAt.IsZero() || s.Compensating })
		saga.Stop()
		s := saga.State(id)
		if s.Compensating || s.RetryAt.IsZero() {
			t.Fatalf("the saga did not park its charge before its deadline: %+v", s.History)
		}
		begun := started(t, e, id)
		wantSteps := []string{"started done", "reserve:A done", "confirm_order done", "request_payment done"}
		for len(wantSteps) < len(s.History) {
			wantSteps = append(wantSteps, "charge parked") // retried while the test looked
		}
		// The step is what the saga would do when it recorded its last
		// event: wait for the retry, or run the charge if that was late.
		events := e.Stream(fulfillment.StreamID(id))
		step := s.Step(events[len(events)-1].Recorded)
		if step != "waiting" && step != "charge" {
			t.Fatalf("the parked saga's step is %q", step)
		}
		check(t, e, id, fulfillmentRow{CustomerID: "c-FR", State: "RUNNING", Step: step,
			LastError: readmodelstest.Text(s.LastError), Deadline: readmodelstest.Time(begun.PaymentDeadline),
			RetryAt: readmodelstest.Time(s.RetryAt), StartedAt: utc(begun.StartedAt)}, wantSteps)

		time.Sleep(time.Until(begun.PaymentDeadline))
		saga = e.StartSaga(paymentTimeout).For(e)
		s = saga.Finished(id)
		if want := "payment not captured by " + begun.PaymentDeadline.UTC().Format(time.RFC3339); s.Reason != want {
			t.Fatalf("the saga compensates for %q, want %q", s.Reason, want)
		}
		check(t, e, id, fulfillmentRow{CustomerID: "c-FR", State: "COMPENSATED", Step: "compensated",
			LastError: readmodelstest.Text(s.LastError), Reason: readmodelstest.Text(s.Reason), RetryAt: readmodelstest.Time(s.RetryAt),
			StartedAt: utc(begun.StartedAt)}, nil)
	})
}

// TestRefused appends saga events the projection must refuse, and events
// it must ignore: the refused ones are parked with a reason that says why
// and leave no rows.
func TestRefused(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	m := e.Manager("a", fulfillmentview.New())
	e.Run(m)

	startedData := func(id string) string {
		return `{"v":1,"orderId":"` + id + `","customerId":"c-1","lines":[{"sku":"A","quantity":1}],"total":{"amount":5,"currency":"EUR"},` +
			`"address":{"name":"n","line1":"l","city":"c","postalCode":"1","country":"DE"},` +
			`"paymentDeadline":"2025-03-01T09:05:00Z","startedAt":"2025-03-01T09:00:00Z"}`
	}
	refused := []struct {
		name, stream, typ, data, reason string
	}{
		{"a step before the start", "fulfillment-early", fulfillment.TypeStepRecorded,
			`{"v":1,"step":"confirm_order","outcome":"done","at":"2025-03-01T09:00:00Z"}`, "no fulfillment.started before it"},
		{"undecodable", "fulfillment-bad", fulfillment.TypeStarted, `{"v":1,"orderId":"bad","lines":"many"}`, "malformed event payload"},
		{"started under another order", "fulfillment-o-2", fulfillment.TypeStarted, startedData("o-3"), `names order "o-3"`},
	}
	ids := make(map[string]uuid.UUID)
	for _, r := range refused {
		ids[r.name] = e.Raw(r.stream, r.typ, r.data)
	}
	e.Raw("fulfillment-o-1", fulfillment.TypeStarted, startedData("o-1"))
	e.Raw("fulfillment-o-1", "fulfillment.audited", `{"v":1}`)
	e.Raw("order-o-1", "order.confirmed", `{"v":1}`)
	e.CaughtUp(fulfillmentview.Name)

	parked := e.Parked(m, fulfillmentview.Name)
	if len(parked) != len(refused) {
		t.Errorf("%d events parked, want %d: %v", len(parked), len(refused), parked)
	}
	for _, r := range refused {
		if reason := parked[ids[r.name]]; !strings.Contains(reason, r.reason) {
			t.Errorf("%s: parked for %q, want a reason containing %q", r.name, reason, r.reason)
		}
	}
	got := readmodelstest.Select[fulfillmentRow](t, e.Pool, `SELECT * FROM readmodel.fulfillments`)
	if len(got) != 1 || got[0].OrderID != "o-1" || got[0].State != "RUNNING" || got[0].Revision != 0 {
		t.Fatalf("fulfillments = %+v, want o-1 alone, running at revision 0", got)
	}
	if hist := readmodelstest.Select[historyRow](t, e.Pool, `SELECT * FROM readmodel.fulfillment_history`); len(hist) != 1 || hist[0].Step != "started" {
		t.Fatalf("fulfillment_history = %+v, want o-1's start alone", hist)
	}
}
