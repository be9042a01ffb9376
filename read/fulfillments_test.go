package read_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections/fulfillmentview"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/money"
)

// sagaEnv is an env whose fulfillment read model the real projection
// fills from saga events appended to the event store, in this order (so
// from the least to the most recently updated):
//
//	o-3 (c-1) compensating: its reservation was rejected
//	o-1 (c-1) running: just started
//	o-5 (c-2) compensated
//	o-2 (c-2) running: its charge parked by an open circuit, waiting to
//	          try again
//	o-4 (c-1) completed
//
// The sagas' times are minutes from base, a second before now: a saga's
// step is what it would do at its last event's recorded time, and its
// payment deadline (base+30m) must not have passed by then.
func sagaEnv(t *testing.T) (*env, func(min int) string) {
	t.Helper()
	e := newEnv(t, withoutProjections())
	e.Run(e.Manager("read-test-sagas", fulfillmentview.New()))
	base := time.Now().UTC().Truncate(time.Second).Add(-time.Second)
	at := func(min int) time.Time { return base.Add(time.Duration(min) * time.Minute) }
	retry := at(9)
	sagas := []struct {
		id, customer string
		events       []any
	}{
		{"o-3", "c-1", []any{
			fulfillment.StepRecorded{V: 1, Step: fulfillment.ReserveStep("SKU-1"), Outcome: fulfillment.Rejected, Detail: "SKU-1: 1 requested, 0 available: rejected", At: at(1)},
			fulfillment.CompensationStarted{V: 1, Reason: "SKU-1: 1 requested, 0 available: rejected", At: at(1)},
		}},
		{"o-1", "c-1", nil},
		{"o-5", "c-2", []any{
			fulfillment.CompensationStarted{V: 1, Reason: "payment declined", At: at(2)},
			fulfillment.Compensated{V: 1, Reason: "payment declined", At: at(3)},
		}},
		{"o-2", "c-2", []any{
			fulfillment.StepRecorded{V: 1, Step: fulfillment.ReserveStep("SKU-1"), Outcome: fulfillment.Done, At: at(4)},
			fulfillment.StepRecorded{V: 1, Step: fulfillment.Step{Kind: fulfillment.StepConfirm}, Outcome: fulfillment.Done, At: at(5)},
			fulfillment.StepRecorded{V: 1, Step: fulfillment.Step{Kind: fulfillment.StepRequestPayment}, Outcome: fulfillment.Done, At: at(6)},
			fulfillment.StepRecorded{V: 1, Step: fulfillment.Step{Kind: fulfillment.StepCharge}, Outcome: fulfillment.Parked, Detail: "payment provider unavailable: circuit open", RetryAt: &retry, At: at(7)},
		}},
		{"o-4", "c-1", []any{
			fulfillment.Completed{V: 1, At: at(8)},
		}},
	}
	for _, s := range sagas {
		started := fulfillment.Started{V: 1, OrderID: s.id, CustomerID: s.customer,
			Lines: []fulfillment.Line{{SKU: "SKU-1", Quantity: 1}}, Total: money.Money{Amount: 1999, Currency: "EUR"},
			Address:         fulfillment.Address{Name: "A. Buyer", Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"},
			PaymentDeadline: at(30), StartedAt: at(0)}
		for _, ev := range append([]any{started}, s.events...) {
			e.appendSaga(s.id, ev)
		}
	}
	e.CaughtUp("fulfillment")
	return e, func(min int) string { return ts(at(min)) }
}

// appendSaga appends one saga event to the saga stream of order id.
func (e *env) appendSaga(id string, ev any) {
	e.t.Helper()
	data, err := json.Marshal(ev)
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.Store.Append(e.Ctx(), fulfillment.StreamID(id), eventstore.Any, eventstore.EventData{
		ID: uuid.New(), Type: ev.(interface{ EventType() string }).EventType(), Data: data,
		Metadata: eventstore.Metadata{CorrelationID: id, CausationID: id, UserID: "fulfillment"},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.Wrote(res.Position)
}

// updated returns the updatedAt the API shows for the saga of order id:
// the recorded time of its last event.
func (e *env) updated(id string) string {
	e.t.Helper()
	return ts(e.last(fulfillment.StreamID(id)).Recorded)
}

// TestFulfillments lists the sagas, least recently updated first, with
// every field of the first page's sagas, by state, and in pages.
func TestFulfillments(t *testing.T) {
	e, at := sagaEnv(t)
	order := []string{"o-3", "o-1", "o-5", "o-2", "o-4"}
	for i := 1; i < len(order); i++ {
		if !e.last(fulfillment.StreamID(order[i-1])).Recorded.Before(e.last(fulfillment.StreamID(order[i])).Recorded) {
			t.Fatalf("saga %s was not recorded after %s: the test's order of updates does not hold", order[i], order[i-1])
		}
	}

	t.Run("in flight, every field", func(t *testing.T) {
		e := *e
		e.t = t
		q := `{ fulfillments(state: [RUNNING, COMPENSATING]) { edges { node { orderId state step lastError reason deadline retryAt startedAt updatedAt
			history { step outcome detail at } } } pageInfo { hasNextPage hasPreviousPage } } }`
		started := fmt.Sprintf(`{"step":"started","outcome":"done","detail":"","at":%q}`, at(0))
		sameJSON(t, e.data(admin, q, nil), `{"fulfillments":{"edges":[
			{"node":{"orderId":"o-3","state":"COMPENSATING","step":"release:SKU-1",
			  "lastError":"SKU-1: 1 requested, 0 available: rejected",
			  "reason":"reserve:SKU-1: SKU-1: 1 requested, 0 available: rejected","deadline":null,"retryAt":null,
			  "startedAt":"`+at(0)+`","updatedAt":"`+e.updated("o-3")+`","history":[`+started+`,
			  {"step":"reserve:SKU-1","outcome":"rejected","detail":"SKU-1: 1 requested, 0 available: rejected","at":"`+at(1)+`"},
			  {"step":"compensation_started","outcome":"done","detail":"SKU-1: 1 requested, 0 available: rejected","at":"`+at(1)+`"}]}},
			{"node":{"orderId":"o-1","state":"RUNNING","step":"reserve:SKU-1","lastError":null,"reason":null,
			  "deadline":"`+at(30)+`","retryAt":null,"startedAt":"`+at(0)+`","updatedAt":"`+e.updated("o-1")+`","history":[`+started+`]}},
			{"node":{"orderId":"o-2","state":"RUNNING","step":"waiting","lastError":"payment provider unavailable: circuit open","reason":null,
			  "deadline":"`+at(30)+`","retryAt":"`+at(9)+`","startedAt":"`+at(0)+`","updatedAt":"`+e.updated("o-2")+`","history":[`+started+`,
			  {"step":"reserve:SKU-1","outcome":"done","detail":"","at":"`+at(4)+`"},
			  {"step":"confirm_order","outcome":"done","detail":"","at":"`+at(5)+`"},
			  {"step":"request_payment","outcome":"done","detail":"","at":"`+at(6)+`"},
			  {"step":"charge","outcome":"parked","detail":"payment provider unavailable: circuit open","at":"`+at(7)+`"}]}}],
			"pageInfo":{"hasNextPage":false,"hasPreviousPage":false}}}`)
	})

	ids := func(data json.RawMessage) string {
		var d struct {
			Fulfillments struct {
				Edges []struct {
					Node struct{ OrderID string }
				}
			}
		}
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, edge := range d.Fulfillments.Edges {
			out = append(out, edge.Node.OrderID)
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		name string
		args string
		want string
	}{
		{"every state when none is given", ``, strings.Join(order, " ")},
		{"an empty list is every state", `(state: [])`, strings.Join(order, " ")},
		{"one state", `(state: [COMPLETED])`, "o-4"},
		{"finished ones", `(state: [COMPENSATED, COMPLETED])`, "o-5 o-4"},
		{"a state twice", `(state: [RUNNING, RUNNING])`, "o-1 o-2"},
		{"the first two", `(first: 2)`, "o-3 o-1"},
		{"none", `(first: 0)`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := *e
			e.t = t
			if got := ids(e.data(admin, `{ fulfillments`+tc.args+` { edges { node { orderId } } } }`, nil)); got != tc.want {
				t.Fatalf("fulfillments%s = %q, want %q", tc.args, got, tc.want)
			}
		})
	}

	t.Run("pages", func(t *testing.T) {
		e := *e
		e.t = t
		q := `query P($after: String) { fulfillments(first: 2, after: $after) { edges { cursor node { orderId } } pageInfo { hasNextPage endCursor } } }`
		var seen []string
		var after any
		for page := 0; ; page++ {
			var d struct {
				Fulfillments struct {
					Edges []struct {
						Cursor string
						Node   struct{ OrderID string }
					}
					PageInfo struct {
						HasNextPage bool
						EndCursor   *string
					}
				}
			}
			if err := json.Unmarshal(e.data(admin, q, map[string]any{"after": after}), &d); err != nil {
				t.Fatal(err)
			}
			for _, edge := range d.Fulfillments.Edges {
				seen = append(seen, edge.Node.OrderID)
			}
			if !d.Fulfillments.PageInfo.HasNextPage {
				break
			}
			if page > 5 || d.Fulfillments.PageInfo.EndCursor == nil {
				t.Fatalf("page %d: %+v", page, d)
			}
			after = *d.Fulfillments.PageInfo.EndCursor
		}
		if got, want := strings.Join(seen, " "), strings.Join(order, " "); got != want {
			t.Fatalf("pages gave %q, want %q", got, want)
		}
	})
}

// TestFulfillmentStats counts the sagas by state and step.
func TestFulfillmentStats(t *testing.T) {
	e, _ := sagaEnv(t)
	sameJSON(t, e.data(admin, `{ fulfillmentStats { byState { state count } byStep { step count } } }`, nil), `{"fulfillmentStats":{
		"byState":[{"state":"RUNNING","count":"2"},{"state":"COMPENSATING","count":"1"},{"state":"COMPLETED","count":"1"},{"state":"COMPENSATED","count":"1"}],
		"byStep":[{"step":"compensated","count":"1"},{"step":"completed","count":"1"},{"step":"release:SKU-1","count":"1"},
		          {"step":"reserve:SKU-1","count":"1"},{"step":"waiting","count":"1"}]}}`)
}

// TestFulfillmentStatsEmpty: no saga yet, empty lists.
func TestFulfillmentStatsEmpty(t *testing.T) {
	e := newEnv(t, withoutProjections())
	e.Run(e.Manager("read-test-sagas", fulfillmentview.New()))
	readmodelstest.WaitFor(t, 30*time.Second, "the fulfillment read model", func() bool {
		_, generation := e.Checkpoint("fulfillment")
		return generation > 0
	})
	sameJSON(t, e.data(admin, `{ fulfillmentStats { byState { state count } byStep { step count } } fulfillments { edges { cursor } } }`, nil),
		`{"fulfillmentStats":{"byState":[],"byStep":[]},"fulfillments":{"edges":[]}}`)
}

// TestFulfillmentAdminQueriesForbidden: customers get exactly the error
// "forbidden" for each admin query, and no SQL runs for them.
func TestFulfillmentAdminQueriesForbidden(t *testing.T) {
	e := newEnv(t, withoutProjections())
	for _, as := range []string{customer("c-1")} {
		for _, field := range []string{`fulfillments(state: [RUNNING]) { edges { node { orderId } } }`, `fulfillmentStats { byState { state } }`} {
			name := field[:strings.IndexAny(field, "( ")]
			before := e.queries.n.Load()
			r := e.do(as, request{Query: `{ ` + field + ` }`})
			if r.status != 200 {
				t.Fatalf("as %q, %s: %d %s", as, name, r.status, r.body)
			}
			sameJSON(t, r.body, fmt.Sprintf(`{"errors":[{"message":"forbidden","path":[%q],"extensions":{"code":"FORBIDDEN"}}],"data":{%q:null}}`, name, name))
			if n := e.queries.n.Load() - before; n != 0 {
				t.Fatalf("as %q, %s: %d SQL statements", as, name, n)
			}
		}
	}
}

// TestFulfillmentsArguments: a bad cursor or page size is refused, and
// the connection's cost counts like any other.
func TestFulfillmentsArguments(t *testing.T) {
	e := newEnv(t, withoutProjections())

	r := e.do(admin, request{Query: `{ fulfillments(after: "bm90LWEtY3Vyc29y") { edges { cursor } } }`})
	sameJSON(t, r.body, `{"errors":[{"message":"invalid cursor: pass the endCursor of a page of the same connection","path":["fulfillments"],
		"extensions":{"code":"INVALID_CURSOR"}}],"data":{"fulfillments":null}}`)

	r = e.do(admin, request{Query: `{ fulfillments(first: 101) { edges { cursor } } }`})
	if g := r.gql(t); r.status != 400 || len(g.Errors) != 1 || g.Errors[0]["extensions"].(map[string]any)["code"] != "FIRST_OUT_OF_RANGE" {
		t.Fatalf("first: 101 answered %d %s", r.status, r.body)
	}

	page := `fulfillments(first: 100) { edges { node { orderId history { step outcome detail at } } } }`
	var b strings.Builder
	b.WriteString("{")
	for i := range 6 {
		fmt.Fprintf(&b, " a%d: %s", i, page)
	}
	b.WriteString(" }")
	before := e.queries.n.Load()
	r = e.do(admin, request{Query: b.String()})
	if g := r.gql(t); r.status != 400 || len(g.Errors) != 1 || g.Errors[0]["extensions"].(map[string]any)["code"] != "MAX_COST_EXCEEDED" {
		t.Fatalf("six pages of 100 sagas with their histories answered %d %s", r.status, r.body)
	}
	if n := e.queries.n.Load() - before; n != 0 {
		t.Fatalf("a refused document ran %d SQL statements", n)
	}
}

// TestHistoryWhileUpgrading: while the live fulfillment read model is
// still a version 1 one, whose history has no ids (an upgrade rebuilds
// it), the history reads as it did, and only its ids answer NOT_READY.
func TestHistoryWhileUpgrading(t *testing.T) {
	e, at := sagaEnv(t)
	if _, err := e.Pool.Exec(e.Ctx(), `CREATE TABLE public.history_v1 AS SELECT order_id, seq, step, outcome, detail, at FROM readmodel.fulfillment_history;
		DROP VIEW readmodel.fulfillment_history;
		CREATE VIEW readmodel.fulfillment_history AS SELECT * FROM public.history_v1`); err != nil {
		t.Fatal(err)
	}
	sameJSON(t, e.data(admin, `{ fulfillment(orderId: "o-4") { history { step outcome at } } }`, nil), fmt.Sprintf(`{"fulfillment":{"history":[
		{"step":"started","outcome":"done","at":%q},{"step":"completed","outcome":"done","at":%q}]}}`, at(0), at(8)))

	const msg = "this field's read model is being rebuilt for a new version; try again in a moment"
	for _, field := range []string{"eventId", "causationId", "commandId"} {
		r := e.do(admin, request{Query: `{ fulfillment(orderId: "o-4") { history { step ` + field + ` } } }`})
		g := r.gql(t)
		if r.status != 200 || len(g.Errors) != 2 || g.Errors[0]["message"] != msg || g.Errors[0]["extensions"].(map[string]any)["code"] != "NOT_READY" {
			t.Errorf("%s of a version 1 history: %d %s, want one NOT_READY per record", field, r.status, r.body)
		}
	}
}
