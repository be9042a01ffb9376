package read_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/orderflow/orderflow/write/order"
)

// TestCustomerConnections walks a customer's orders and notifications page
// by page: newest first, nothing missed or repeated, and only that
// customer's.
func TestCustomerConnections(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	var wantOrders, wantNotes []string // newest first
	for i := range 7 {
		id := fmt.Sprintf("o-%d", i)
		e.placeAt(id, "c-1", t0.Add(time.Duration(i)*time.Hour))
		e.placeAt("other-"+id, "c-2", t0.Add(time.Duration(i)*time.Hour+time.Minute))
		e.Clock.Set(t0.Add(time.Duration(i)*time.Hour + 2*time.Minute))
		e.Order(id, order.Confirm{})
		e.Order("other-"+id, order.Confirm{})
		wantOrders = append([]string{id}, wantOrders...)
		wantNotes = append([]string{id + " confirmed"}, wantNotes...)
		if i%3 == 0 {
			e.Clock.Set(t0.Add(time.Duration(i)*time.Hour + 3*time.Minute))
			e.Order(id, order.Cancel{Reason: "no longer needed", ByCustomer: true})
			wantNotes = append([]string{id + " cancelled"}, wantNotes...)
		}
	}
	e.CaughtUp(allProjections...)

	q := `query C($first: Int, $after: String, $notesAfter: String) { customer(id: "c-1") {
		orders(first: $first, after: $after) { edges { node { id customerId } } pageInfo { hasNextPage endCursor } }
		notifications(first: $first, after: $notesAfter) { edges { node { orderId kind } } pageInfo { hasNextPage endCursor } } } }`
	type page struct {
		Edges []struct {
			Node struct{ ID, CustomerID, OrderID, Kind string }
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
	for _, first := range []int{1, 3, 20} {
		var gotOrders, gotNotes []string
		vars := map[string]any{"first": first}
		for ordersDone, notesDone := false, false; !ordersDone || !notesDone; {
			var d struct {
				Customer struct{ Orders, Notifications page }
			}
			if err := json.Unmarshal(e.data(customer("c-1"), q, vars), &d); err != nil {
				t.Fatal(err)
			}
			if !ordersDone {
				for _, edge := range d.Customer.Orders.Edges {
					if edge.Node.CustomerID != "c-1" {
						t.Fatalf("c-1's orders include %+v", edge.Node)
					}
					gotOrders = append(gotOrders, edge.Node.ID)
				}
				ordersDone = !d.Customer.Orders.PageInfo.HasNextPage
				if !ordersDone {
					vars["after"] = *d.Customer.Orders.PageInfo.EndCursor
				}
			}
			if !notesDone {
				for _, edge := range d.Customer.Notifications.Edges {
					gotNotes = append(gotNotes, edge.Node.OrderID+" "+edge.Node.Kind)
				}
				notesDone = !d.Customer.Notifications.PageInfo.HasNextPage
				if !notesDone {
					vars["notesAfter"] = *d.Customer.Notifications.PageInfo.EndCursor
				}
			}
		}
		if !slices.Equal(gotOrders, wantOrders) {
			t.Errorf("pages of %d: orders %v, want %v", first, gotOrders, wantOrders)
		}
		if !slices.Equal(gotNotes, wantNotes) {
			t.Errorf("pages of %d: notifications %v, want %v", first, gotNotes, wantNotes)
		}
	}

	r := e.do(customer("c-1"), request{Query: `{ customer(id: "c-1") { notifications(after: "bm90aWZpY2F0aW9uOjE6eA") { edges { cursor } } } }`})
	sameJSON(t, r.body, `{"errors":[{"message":"invalid cursor: pass the endCursor of a page of the same connection","path":["customer","notifications"],"extensions":{"code":"INVALID_CURSOR"}}],"data":{"customer":null}}`)
}
