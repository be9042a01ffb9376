package read_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/orderflow/orderflow/write/inventory"
)

// TestProduct reads every field of a product, as anyone: products are
// public. (registeredAt is the write side's clock; updatedAt the time the
// last event was recorded.)
func TestProduct(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	e.Inventory("SKU-1", inventory.AddStock{Quantity: 5})
	e.placeAt("o-1", "c-1", t0)
	e.Inventory("SKU-1", inventory.Reserve{OrderID: "o-1", Quantity: 3})
	e.CaughtUp("products")
	last := e.last("inventory-SKU-1")
	q := `query P($sku: String!) { product(sku: $sku) { sku name price { amount currency } available reserved onHand registeredAt updatedAt revision } }`
	want := fmt.Sprintf(`{"product":{"sku":"SKU-1","name":"Widget","price":{"amount":"1999","currency":"EUR"},
		"available":"102","reserved":"3","onHand":"105","registeredAt":"2025-03-01T09:00:00Z","updatedAt":%q,"revision":"%d"}}`,
		ts(last.Recorded), last.Revision)
	for _, as := range []string{anonymous, customer("c-2"), admin} {
		sameJSON(t, e.data(as, q, map[string]any{"sku": "SKU-1"}), want)
	}
	sameJSON(t, e.data(anonymous, q, map[string]any{"sku": "SKU-404"}), `{"product":null}`)
	sameJSON(t, e.data(anonymous, q, map[string]any{"sku": "bad\u0000sku"}), `{"product":null}`)
}

// TestProductsPagination walks the catalog in SKU order.
func TestProductsPagination(t *testing.T) {
	e := newEnv(t)
	var want []string
	for i := range 12 {
		sku := fmt.Sprintf("SKU-%02d", 11-i) // registered in reverse order
		e.Product(sku, "P "+sku, eur(100+int64(i)), 0)
		want = append(want, sku)
	}
	slices.Sort(want)
	e.CaughtUp("products")
	q := `query P($first: Int, $after: String) { products(first: $first, after: $after) {
		edges { cursor node { sku } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`
	for _, first := range []int{1, 5, 12, 50} {
		var got []string
		vars := map[string]any{"first": first}
		for {
			var d struct {
				Products struct {
					Edges []struct {
						Cursor string
						Node   struct{ SKU string }
					}
					PageInfo struct {
						HasNextPage bool
						EndCursor   *string
					}
				}
			}
			if err := json.Unmarshal(e.data(anonymous, q, vars), &d); err != nil {
				t.Fatal(err)
			}
			for _, edge := range d.Products.Edges {
				got = append(got, edge.Node.SKU)
			}
			if !d.Products.PageInfo.HasNextPage {
				break
			}
			vars["after"] = *d.Products.PageInfo.EndCursor
		}
		if !slices.Equal(got, want) {
			t.Fatalf("pages of %d: %v, want %v", first, got, want)
		}
	}
	sameJSON(t, e.data(anonymous, `{ products(first: 2) { edges { cursor node { sku } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, nil),
		`{"products":{"edges":[{"cursor":"cHJvZHVjdDpTS1UtMDA","node":{"sku":"SKU-00"}},{"cursor":"cHJvZHVjdDpTS1UtMDE","node":{"sku":"SKU-01"}}],
		"pageInfo":{"hasNextPage":true,"hasPreviousPage":false,"startCursor":"cHJvZHVjdDpTS1UtMDA","endCursor":"cHJvZHVjdDpTS1UtMDE"}}}`)
	sameJSON(t, e.data(anonymous, `{ products(after: "cHJvZHVjdDpTS1UtMTE") { edges { cursor } pageInfo { hasNextPage startCursor endCursor } } }`, nil),
		`{"products":{"edges":[],"pageInfo":{"hasNextPage":false,"startCursor":null,"endCursor":null}}}`)
}
