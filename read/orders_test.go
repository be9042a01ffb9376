package read_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/order"
)

// t0 is when the tests' first order is placed.
var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// catalog registers SKU-1 at 19.99 EUR and SKU-2 at 5.00 EUR, with stock.
func (e *env) catalog() {
	e.t.Helper()
	e.Product("SKU-1", "Widget", eur(1999), 100)
	e.Product("SKU-2", "Gadget", eur(500), 100)
}

// placeAt places order id for the customer at time at, one SKU-1 and two
// SKU-2 (29.99 EUR).
func (e *env) placeAt(id, customer string, at time.Time) eventstore.Position {
	e.t.Helper()
	e.Clock.Set(at)
	return e.Place(id, customer, order.LineRequest{SKU: "SKU-1", Quantity: 1}, order.LineRequest{SKU: "SKU-2", Quantity: 2})
}

// last returns the last event of stream.
func (e *env) last(stream string) eventstore.RecordedEvent {
	e.t.Helper()
	events := e.Stream(stream)
	if len(events) == 0 {
		e.t.Fatalf("stream %s is empty", stream)
	}
	return events[len(events)-1]
}

const orderFields = `id revision status customerId
	lines { sku quantity unitPrice { amount currency } }
	total { amount currency }
	placedAt confirmedAt paidAt shippedAt deliveredAt cancelledAt cancelReason trackingNumber updatedAt position`

// TestOrder reads every field the orders read model holds, for an order
// that went all the way and one that was cancelled.
func TestOrder(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	e.placeAt("o-1", "c-1", t0)
	e.Clock.Set(t0.Add(time.Minute))
	e.Order("o-1", order.Confirm{})
	e.Clock.Set(t0.Add(2 * time.Minute))
	e.Order("o-1", order.MarkPaid{Amount: eur(2999), ChargeID: "ch-1"})
	e.Clock.Set(t0.Add(3 * time.Minute))
	e.Order("o-1", order.MarkShipped{TrackingNumber: "TRK-1"})
	e.Clock.Set(t0.Add(4 * time.Minute))
	e.Order("o-1", order.MarkDelivered{})
	e.placeAt("o-2", "c-2", t0.Add(time.Hour))
	e.Clock.Set(t0.Add(time.Hour + time.Second))
	e.Order("o-2", order.Cancel{Reason: "changed my mind", ByCustomer: true})
	e.CaughtUp("orders")

	delivered := e.last("order-o-1")
	cancelled := e.last("order-o-2")
	lines := `"lines":[{"sku":"SKU-1","quantity":1,"unitPrice":{"amount":"1999","currency":"EUR"}},{"sku":"SKU-2","quantity":2,"unitPrice":{"amount":"500","currency":"EUR"}}],"total":{"amount":"2999","currency":"EUR"}`
	wantDelivered := fmt.Sprintf(`{"order":{"id":"o-1","revision":"4","status":"DELIVERED","customerId":"c-1",%s,
		"placedAt":"2025-03-01T10:00:00Z","confirmedAt":"2025-03-01T10:01:00Z","paidAt":"2025-03-01T10:02:00Z",
		"shippedAt":"2025-03-01T10:03:00Z","deliveredAt":"2025-03-01T10:04:00Z","cancelledAt":null,"cancelReason":null,
		"trackingNumber":"TRK-1","updatedAt":%q,"position":%q}}`, lines, ts(delivered.Recorded), delivered.Position)
	wantCancelled := fmt.Sprintf(`{"order":{"id":"o-2","revision":"1","status":"CANCELLED","customerId":"c-2",%s,
		"placedAt":"2025-03-01T11:00:00Z","confirmedAt":null,"paidAt":null,"shippedAt":null,"deliveredAt":null,
		"cancelledAt":"2025-03-01T11:00:01Z","cancelReason":"changed my mind","trackingNumber":null,"updatedAt":%q,"position":%q}}`,
		lines, ts(cancelled.Recorded), cancelled.Position)

	q := `query O($id: ID!) { order(id: $id) { ` + orderFields + ` } }`
	sameJSON(t, e.data(admin, q, map[string]any{"id": "o-1"}), wantDelivered)
	sameJSON(t, e.data(customer("c-1"), q, map[string]any{"id": "o-1"}), wantDelivered)
	sameJSON(t, e.data(admin, q, map[string]any{"id": "o-2"}), wantCancelled)
	sameJSON(t, e.data(admin, q, map[string]any{"id": "o-404"}), `{"order":null}`)
}

// orderPage is a page of the orders connection as the tests read it.
type orderPage struct {
	Edges []struct {
		Cursor string `json:"cursor"`
		Node   struct {
			ID string `json:"id"`
		} `json:"node"`
	} `json:"edges"`
	PageInfo struct {
		HasNextPage     bool    `json:"hasNextPage"`
		HasPreviousPage bool    `json:"hasPreviousPage"`
		StartCursor     *string `json:"startCursor"`
		EndCursor       *string `json:"endCursor"`
	} `json:"pageInfo"`
}

func (p orderPage) ids() []string {
	var ids []string
	for _, e := range p.Edges {
		ids = append(ids, e.Node.ID)
	}
	return ids
}

const ordersPageQuery = `query P($first: Int, $after: String, $status: OrderStatus, $placedAfter: Time, $placedBefore: Time) {
	orders(first: $first, after: $after, status: $status, placedAfter: $placedAfter, placedBefore: $placedBefore) {
		edges { cursor node { id } }
		pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`

// page reads one page of orders as the caller.
func (e *env) ordersPage(as string, vars map[string]any) orderPage {
	e.t.Helper()
	var d struct {
		Orders orderPage `json:"orders"`
	}
	if err := json.Unmarshal(e.data(as, ordersPageQuery, vars), &d); err != nil {
		e.t.Fatal(err)
	}
	p := d.Orders
	if p.PageInfo.HasPreviousPage {
		e.t.Fatal("hasPreviousPage is true")
	}
	if n := len(p.Edges); n > 0 && (*p.PageInfo.StartCursor != p.Edges[0].Cursor || *p.PageInfo.EndCursor != p.Edges[n-1].Cursor) {
		e.t.Fatalf("startCursor/endCursor are not the page's first and last cursors: %+v", p)
	}
	if len(p.Edges) == 0 && (p.PageInfo.StartCursor != nil || p.PageInfo.EndCursor != nil) {
		e.t.Fatalf("an empty page has cursors: %+v", p)
	}
	return p
}

// walk reads every page of orders with pages of size first; between the
// pages it calls between (if not nil) with the page number.
func (e *env) walk(as string, first int, vars map[string]any, between func(page int)) []string {
	e.t.Helper()
	var ids []string
	v := map[string]any{"first": first}
	for k, x := range vars {
		v[k] = x
	}
	for page := 0; ; page++ {
		p := e.ordersPage(as, v)
		if len(p.Edges) > first || (p.PageInfo.HasNextPage && len(p.Edges) != first) {
			e.t.Fatalf("page %d has %d orders, hasNextPage %v, with first %d", page, len(p.Edges), p.PageInfo.HasNextPage, first)
		}
		ids = append(ids, p.ids()...)
		if !p.PageInfo.HasNextPage {
			return ids
		}
		if between != nil {
			between(page)
		}
		v["after"] = *p.PageInfo.EndCursor
	}
}

// TestOrdersPagination walks all orders page by page, newest first, ties
// in placement time broken by id, with no order missed or repeated; new
// orders placed while walking do not disturb the walk.
func TestOrdersPagination(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	var want []string // newest first
	for i := range 23 {
		at := t0.Add(time.Duration(i/2) * time.Minute) // pairs share a placement time
		id := fmt.Sprintf("o-%02d", i)
		e.placeAt(id, fmt.Sprintf("c-%d", i%3), at)
		want = append(want, id)
	}
	slices.SortFunc(want, func(a, b string) int {
		var ia, ib int
		fmt.Sscanf(a, "o-%d", &ia)
		fmt.Sscanf(b, "o-%d", &ib)
		if ia/2 != ib/2 {
			return ib/2 - ia/2
		}
		return ib - ia // same time: id descending
	})
	e.CaughtUp("orders")

	for _, first := range []int{1, 5, 7, 23, 100} {
		if got := e.walk(admin, first, nil, nil); !slices.Equal(got, want) {
			t.Fatalf("pages of %d: %v, want %v", first, got, want)
		}
	}

	newer := 0
	got := e.walk(admin, 5, nil, func(int) {
		for range 2 {
			e.placeAt(fmt.Sprintf("n-%02d", newer), "c-9", t0.Add(24*time.Hour+time.Duration(newer)*time.Second))
			newer++
		}
		e.CaughtUp("orders")
	})
	if !slices.Equal(got, want) {
		t.Fatalf("walk while newer orders arrive: %v, want %v", got, want)
	}
	if first := e.ordersPage(admin, map[string]any{"first": 1}).ids(); !slices.Equal(first, []string{fmt.Sprintf("n-%02d", newer-1)}) {
		t.Fatalf("the newest order is %v", first)
	}

	empty := e.ordersPage(admin, map[string]any{"first": 0})
	if len(empty.Edges) != 0 || empty.PageInfo.HasNextPage {
		t.Fatalf("first: 0 gave %+v", empty)
	}
}

// TestOrdersFilters filters by status and placement time, alone and
// together, and pages through a filtered list.
func TestOrdersFilters(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	for i := range 6 {
		id := fmt.Sprintf("o-%d", i)
		e.placeAt(id, "c-1", t0.Add(time.Duration(i)*time.Hour))
		if i%2 == 1 {
			e.Order(id, order.Confirm{})
		}
	}
	e.CaughtUp("orders")
	cases := []struct {
		name string
		vars map[string]any
		want []string
	}{
		{"status", map[string]any{"status": "CONFIRMED"}, []string{"o-5", "o-3", "o-1"}},
		{"another status", map[string]any{"status": "PENDING"}, []string{"o-4", "o-2", "o-0"}},
		{"a status nobody has", map[string]any{"status": "SHIPPED"}, nil},
		{"placed after (exclusive)", map[string]any{"placedAfter": "2025-03-01T13:00:00Z"}, []string{"o-5", "o-4"}},
		{"placed before (exclusive)", map[string]any{"placedBefore": "2025-03-01T12:00:00+00:00"}, []string{"o-1", "o-0"}},
		{"a window, in another offset", map[string]any{"placedAfter": "2025-03-01T11:30:00+01:00", "placedBefore": "2025-03-01T14:00:00Z"}, []string{"o-3", "o-2", "o-1"}},
		{"status and window", map[string]any{"status": "CONFIRMED", "placedAfter": "2025-03-01T10:30:00Z", "placedBefore": "2025-03-01T14:00:00Z"}, []string{"o-3", "o-1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := *e
			e.t = t
			if got := e.walk(admin, 2, tc.vars, nil); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestOrdersArgumentErrors: a bad cursor is the client's error, said as
// such. (orders is non-null, so its error nulls data.) A bad time is a
// bad variable: TestVariableCoercion.
func TestOrdersArgumentErrors(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name    string
		vars    map[string]any
		status  int
		message string
		code    string
	}{
		{"garbage cursor", map[string]any{"after": "not a cursor"}, 200, "invalid cursor: pass the endCursor of a page of the same connection", "INVALID_CURSOR"},
		{"a product cursor", map[string]any{"after": "cHJvZHVjdDpTS1UtMQ"}, 200, "invalid cursor: pass the endCursor of a page of the same connection", "INVALID_CURSOR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(admin, request{Query: ordersPageQuery, Variables: tc.vars})
			g := r.gql(t)
			if r.status != tc.status || len(g.Errors) != 1 || g.Errors[0]["message"] != tc.message {
				t.Fatalf("got %d %s, want %d and %q", r.status, r.body, tc.status, tc.message)
			}
			if tc.code != "" {
				sameJSON(t, r.body, fmt.Sprintf(`{"errors":[{"message":%q,"path":["orders"],"extensions":{"code":%q}}],"data":null}`, tc.message, tc.code))
			}
		})
	}
}
