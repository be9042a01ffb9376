package read_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// TestQueriesDoNotGrowWithThePage: a page of orders with their lines,
// timelines, fulfillments and histories, customers and their spend,
// orders (with lines and customers) and notifications costs the same
// number of SQL statements for 5 orders as for 20: one per kind of data.
func TestQueriesDoNotGrowWithThePage(t *testing.T) {
	e := newEnv(t)
	saga := e.StartSaga(time.Hour)
	e.catalog()
	now := time.Now()
	var ids []string
	for i := range 20 {
		id := fmt.Sprintf("o-%02d", i)
		e.placeAt(id, fmt.Sprintf("c-%d", i%10), now.Add(time.Duration(i)*time.Millisecond))
		ids = append(ids, id)
	}
	for _, id := range ids {
		saga.Finished(id)
	}
	e.CaughtUp(allProjections...)

	q := `query P($n: Int) { orders(first: $n) { edges { node {
		id lines { sku unitPrice { amount } } timeline { type }
		fulfillment { state history { step } }
		customer { id lifetimeSpend { amount }
			orders(first: 3) { edges { node { id lines { sku } customer { id } } } }
			notifications(first: 2) { edges { node { kind } } } } } } } }`
	const want = 11 // orders, lines, timelines, fulfillments, histories, customers, spend,
	// the customers' orders, their lines, their customers, notifications
	for _, n := range []int{5, 20} {
		before := e.queries.n.Load()
		data := e.data(admin, q, map[string]any{"n": n})
		if got := e.queries.n.Load() - before; got != want {
			t.Errorf("a page of %d orders: %d SQL statements, want %d", n, got, want)
		}
		var d struct {
			Orders struct {
				Edges []struct {
					Node struct {
						Lines       []any
						Timeline    []any
						Fulfillment struct{ History []any }
						Customer    struct {
							Orders struct {
								Edges []struct {
									Node struct {
										Lines    []any
										Customer struct{ ID string }
									}
								}
							}
							Notifications struct{ Edges []any }
						}
					}
				}
			}
		}
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatal(err)
		}
		if len(d.Orders.Edges) != n {
			t.Fatalf("%d orders, want %d", len(d.Orders.Edges), n)
		}
		for _, edge := range d.Orders.Edges {
			o := edge.Node
			if len(o.Lines) != 2 || len(o.Timeline) == 0 || len(o.Fulfillment.History) == 0 ||
				len(o.Customer.Orders.Edges) != 2 || len(o.Customer.Notifications.Edges) == 0 {
				t.Fatalf("an order is missing data: %s", data)
			}
			for _, co := range o.Customer.Orders.Edges {
				if len(co.Node.Lines) != 2 || co.Node.Customer.ID == "" {
					t.Fatalf("a customer's order is missing data: %s", data)
				}
			}
		}
	}
}
