package read_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/order"
)

// TestEveryField places two orders of one customer with the fulfillment
// saga running: one it completes and the carrier then ships and delivers,
// one the customer cancels. It reads every field of Order, Fulfillment
// and Customer, through order, fulfillment and customer, as the owner.
// What the read models hold is read from their views with SQL of the
// test's own; what the story makes certain is spelled out.
func TestEveryField(t *testing.T) {
	e := newEnv(t)
	saga := e.StartSaga(time.Hour)
	e.catalog()
	now := time.Now() // the saga's payment deadline runs from the placement on its real clock
	e.placeAt("o-1", "c-1", now)
	saga.Finished("o-1")
	e.Dispatched("o-1", "TRK-1")
	e.Delivered("o-1")
	// The provider is down while o-2 is placed, so its saga confirms it and
	// waits to charge; then the customer cancels. (A cancellation that
	// reaches a saga together with its placement has been seen to leave
	// the saga waiting under -race; this test is about reading.)
	saga.Controls(sandbox.Controls{Outage: true})
	e.placeAt("o-2", "c-1", now.Add(time.Second))
	saga.Until("o-2", "confirm the order", func(st fulfillment.State) bool { return st.Done[fulfillment.Step{Kind: fulfillment.StepConfirm}] })
	e.Order("o-2", order.Cancel{Reason: "changed my mind", ByCustomer: true})
	saga.Controls(sandbox.Controls{})
	saga.Finished("o-2")
	e.CaughtUp(allProjections...)

	fulfillmentFields := `orderId state step history { step outcome detail at eventId commandId causationId } lastError reason deadline retryAt startedAt updatedAt`
	customerFields := `id orderCount firstOrderAt lastOrderAt lifetimeSpend { amount currency }
		orders(first: 1) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
		notifications { edges { cursor node { id orderId kind message createdAt } } pageInfo { hasNextPage } }`
	q := `query O($id: ID!) { order(id: $id) { id status trackingNumber
		timeline { type position stream revision occurredAt eventId correlationId causationId causedBy { kind id type step } }
		fulfillment { ` + fulfillmentFields + ` }
		customer { ` + customerFields + ` } } }`

	for _, id := range []string{"o-1", "o-2"} {
		var got struct {
			Order struct {
				Status      string
				Timeline    []map[string]any
				Fulfillment struct {
					State, Step string
					History     []map[string]any
				}
				Customer struct {
					OrderCount    string
					LifetimeSpend []map[string]any
					Notifications struct {
						Edges []struct {
							Node struct{ OrderID, Kind, Message string }
						}
					}
				}
			}
		}
		data := e.data(customer("c-1"), q, map[string]any{"id": id})
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(`{"order":{"id":%q,"status":%q,"trackingNumber":%s,"timeline":%s,"fulfillment":%s,"customer":%s}}`,
			id, got.Order.Status, map[string]string{"o-1": `"TRK-1"`, "o-2": "null"}[id],
			e.timelineJSON(id), e.fulfillmentJSON(id), e.customerJSON("c-1", "o-2"))
		sameJSON(t, data, want)

		// What the story makes certain, whatever the views hold.
		o := got.Order
		wantStatus, wantState, wantStep := "DELIVERED", "COMPLETED", "completed"
		if id == "o-2" {
			wantStatus, wantState, wantStep = "CANCELLED", "COMPENSATED", "compensated"
		}
		if o.Status != wantStatus || o.Fulfillment.State != wantState || o.Fulfillment.Step != wantStep || len(o.Fulfillment.History) == 0 {
			t.Errorf("%s: status %s, fulfillment %s at %s with %d records", id, o.Status, o.Fulfillment.State, o.Fulfillment.Step, len(o.Fulfillment.History))
		}
		if len(o.Timeline) < 3 || o.Timeline[0]["type"] != "order.placed" || o.Timeline[0]["stream"] != "order-"+id {
			t.Errorf("%s: timeline %v", id, o.Timeline)
		}
		if o.Customer.OrderCount != "2" || len(o.Customer.LifetimeSpend) != 1 || o.Customer.LifetimeSpend[0]["amount"] != "2999" {
			t.Errorf("%s: customer %+v", id, o.Customer)
		}
		kinds := map[string]bool{}
		for _, n := range o.Customer.Notifications.Edges {
			kinds[n.Node.OrderID+" "+n.Node.Kind] = true
		}
		for _, k := range []string{"o-1 confirmed", "o-1 shipped", "o-1 delivered", "o-2 cancelled"} {
			if !kinds[k] {
				t.Errorf("%s: no notification %q among %v", id, k, kinds)
			}
		}
	}

	// The same fulfillment and customer from their own root fields.
	sameJSON(t, e.data(customer("c-1"), `{ fulfillment(orderId: "o-1") { `+fulfillmentFields+` } }`, nil),
		`{"fulfillment":`+e.fulfillmentJSON("o-1")+`}`)
	sameJSON(t, e.data(customer("c-1"), `{ customer(id: "c-1") { `+customerFields+` } }`, nil),
		`{"customer":`+e.customerJSON("c-1", "o-2")+`}`)
	// Someone else's are null, as absent ones are.
	for _, q := range []string{`{ fulfillment(orderId: "o-1") { state } }`, `{ fulfillment(orderId: "o-404") { state } }`} {
		sameJSON(t, e.data(customer("c-2"), q, nil), `{"fulfillment":null}`)
	}
	sameJSON(t, e.data(customer("c-2"), `{ customer(id: "c-1") { id } }`, nil), `{"customer":null}`)
	sameJSON(t, e.data(admin, `{ customer(id: "c-1") { id } }`, nil), `{"customer":{"id":"c-1"}}`)
	sameJSON(t, e.data(admin, `{ customer(id: "c-404") { id } }`, nil), `{"customer":null}`)
}

// rowsJSON runs sql and encodes each row as an object built by row.
func (e *env) rowsJSON(row func(pgx.CollectableRow) (any, error), sql string, args ...any) string {
	e.t.Helper()
	rows, err := e.Pool.Query(e.Ctx(), sql, args...)
	if err != nil {
		e.t.Fatal(err)
	}
	list, err := pgx.CollectRows(rows, row)
	if err != nil {
		e.t.Fatal(err)
	}
	if list == nil {
		list = []any{}
	}
	b, err := json.Marshal(list)
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

func (e *env) timelineJSON(id string) string {
	e.t.Helper()
	return e.rowsJSON(func(r pgx.CollectableRow) (any, error) {
		var (
			typ, stream, eventID, corr, cause string
			commit, prepare, rev              int64
			at                                time.Time
			causeType                         *string
		)
		err := r.Scan(&typ, &commit, &prepare, &stream, &rev, &at, &eventID, &corr, &cause, &causeType)
		// Caused by an earlier entry, else by a command: a saga step's
		// when it has the form of their ids.
		causedBy := map[string]any{"kind": "EVENT", "id": cause, "type": causeType, "step": nil}
		if causeType == nil {
			causedBy["kind"] = "COMMAND"
			if step, ok := strings.CutPrefix(cause, "fulfillment/"+id+"/"); ok {
				causedBy["step"] = step
			}
		}
		return map[string]any{"type": typ, "position": fmt.Sprintf("%d.%d", commit, prepare), "stream": stream,
			"revision": fmt.Sprint(rev), "occurredAt": ts(at), "eventId": eventID, "correlationId": corr, "causationId": cause,
			"causedBy": causedBy}, err
	}, `SELECT t.type, t.commit_pos, t.prepare_pos, t.stream, t.revision, t.occurred_at, t.event_id::text, t.correlation_id, t.causation_id, c.type
		FROM readmodel.order_timeline t
		LEFT JOIN readmodel.order_timeline c ON c.order_id = t.order_id AND c.event_id::text = t.causation_id
			AND (c.commit_pos, c.prepare_pos) < (t.commit_pos, t.prepare_pos)
		WHERE t.order_id = $1 ORDER BY t.commit_pos, t.prepare_pos`, id)
}

func (e *env) fulfillmentJSON(id string) string {
	e.t.Helper()
	history := e.rowsJSON(func(r pgx.CollectableRow) (any, error) {
		var (
			step, outcome, detail, eventID, cause string
			command                               *string
			at                                    time.Time
		)
		err := r.Scan(&step, &outcome, &detail, &at, &eventID, &command, &cause)
		return map[string]any{"step": step, "outcome": outcome, "detail": detail, "at": ts(at),
			"eventId": eventID, "commandId": command, "causationId": cause}, err
	}, `SELECT step, outcome, detail, at, event_id::text, command_id, causation_id FROM readmodel.fulfillment_history WHERE order_id = $1 ORDER BY seq`, id)
	one := e.rowsJSON(func(r pgx.CollectableRow) (any, error) {
		var (
			orderID, state, step string
			lastError, reason    *string
			deadline, retryAt    *time.Time
			startedAt, updatedAt time.Time
		)
		err := r.Scan(&orderID, &state, &step, &lastError, &reason, &deadline, &retryAt, &startedAt, &updatedAt)
		return map[string]any{"orderId": orderID, "state": state, "step": step, "history": json.RawMessage(history),
			"lastError": lastError, "reason": reason, "deadline": optTS(deadline), "retryAt": optTS(retryAt),
			"startedAt": ts(startedAt), "updatedAt": ts(updatedAt)}, err
	}, `SELECT order_id, state, step, last_error, reason, deadline, retry_at, started_at, updated_at
		FROM readmodel.fulfillments WHERE order_id = $1`, id)
	if len(one) < 2 || strings.Count(one, `"orderId"`) != 1 {
		e.t.Fatalf("fulfillment of %s: %s", id, one)
	}
	return one[1 : len(one)-1] // one row, not a list
}

// customerJSON is the customer's summary with its first order (newest)
// and every notification.
func (e *env) customerJSON(id, newest string) string {
	e.t.Helper()
	spend := e.rowsJSON(func(r pgx.CollectableRow) (any, error) {
		var (
			currency string
			amount   int64
		)
		err := r.Scan(&currency, &amount)
		return map[string]any{"amount": fmt.Sprint(amount), "currency": currency}, err
	}, `SELECT currency, amount FROM readmodel.customer_spend WHERE customer_id = $1 ORDER BY currency`, id)
	var (
		orderCursor string
		placedAt    time.Time
		orderCount  int64
	)
	if err := e.Pool.QueryRow(e.Ctx(), `SELECT placed_at FROM readmodel.orders WHERE order_id = $1`, newest).Scan(&placedAt); err != nil {
		e.t.Fatal(err)
	}
	orderCursor = rawCursor(placedAt, newest)
	if err := e.Pool.QueryRow(e.Ctx(), `SELECT order_count FROM readmodel.customers WHERE customer_id = $1`, id).Scan(&orderCount); err != nil {
		e.t.Fatal(err)
	}
	notifications := e.rowsJSON(func(r pgx.CollectableRow) (any, error) {
		var (
			eventID, orderID, kind, message string
			createdAt                       time.Time
		)
		err := r.Scan(&eventID, &orderID, &kind, &message, &createdAt)
		return map[string]any{"cursor": notificationCursor(createdAt, eventID), "node": map[string]any{
			"id": eventID, "orderId": orderID, "kind": kind, "message": message, "createdAt": ts(createdAt)}}, err
	}, `SELECT event_id::text, order_id, kind, message, created_at FROM readmodel.customer_notifications
		WHERE customer_id = $1 ORDER BY created_at DESC, event_id`, id)
	var first, last time.Time
	if err := e.Pool.QueryRow(e.Ctx(), `SELECT first_order_at, last_order_at FROM readmodel.customers WHERE customer_id = $1`, id).Scan(&first, &last); err != nil {
		e.t.Fatal(err)
	}
	return fmt.Sprintf(`{"id":%q,"orderCount":"%d","firstOrderAt":%q,"lastOrderAt":%q,"lifetimeSpend":%s,
		"orders":{"edges":[{"cursor":%q,"node":{"id":%q}}],"pageInfo":{"hasNextPage":true,"endCursor":%q}},
		"notifications":{"edges":%s,"pageInfo":{"hasNextPage":false}}}`,
		id, orderCount, ts(first), ts(last), spend, orderCursor, newest, orderCursor, notifications)
}

func optTS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

// notificationCursor is the notifications connection's cursor, as
// rawCursor is the orders'.
func notificationCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("notification:" + strconv.FormatInt(at.UnixMicro(), 10) + ":" + id))
}
